"""Which attachments we keep, on every channel: an allowlist of content types, executables refused
by name, type and first bytes, a size limit, and images or PDFs whose bytes must match their type. Pure.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from otklik.channels.base import MAX_ATTACHMENT_BYTES, InboundAttachment

#: content type → the file extensions that carry it; nothing outside this list is stored
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "image/bmp": (".bmp",),
    "image/tiff": (".tif", ".tiff"),
    "image/heic": (".heic",),
    "image/heif": (".heif",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".log"),
    "text/csv": (".csv",),
    "text/calendar": (".ics",),
    "text/vcard": (".vcf",),
    "application/rtf": (".rtf",),
    "application/msword": (".doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
    "application/zip": (".zip",),
    "message/rfc822": (".eml",),
    "video/mp4": (".mp4",),
    "video/quicktime": (".mov",),
    "audio/mpeg": (".mp3",),
    "audio/ogg": (".ogg", ".oga"),
    "audio/mp4": (".m4a",),
}
EXTENSION_TYPES = {ext: ctype for ctype, exts in ALLOWED_TYPES.items() for ext in exts}
_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "application/x-pdf": "application/pdf",
    "text/rtf": "application/rtf",
    "application/x-zip-compressed": "application/zip",
    "text/x-vcard": "text/vcard",
    "text/x-csv": "text/csv",
}
#: never stored, whatever the sender calls them
DENIED_EXTENSIONS = frozenset(
    {".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".cpl", ".msi", ".msp", ".dll", ".sys", ".js", ".jse",
     ".vbs", ".vbe", ".wsf", ".wsh", ".ps1", ".psm1", ".hta", ".jar", ".lnk", ".reg", ".sh", ".apk", ".app",
     ".dmg", ".iso", ".img", ".vhd", ".scf", ".inf", ".gadget", ".msc", ".appx", ".elf", ".bin", ".svg",
     ".html", ".htm", ".xhtml", ".docm", ".xlsm", ".pptm"}
)  # fmt: skip
DENIED_TYPES = frozenset(
    {"application/x-msdownload", "application/x-msdos-program", "application/x-dosexec", "application/x-executable",
     "application/vnd.microsoft.portable-executable", "application/x-sh", "application/x-bat", "application/x-msi",
     "application/java-archive", "application/x-ms-shortcut", "application/hta", "application/javascript",
     "text/javascript", "application/x-javascript", "application/vbscript", "text/vbscript", "image/svg+xml",
     "text/html", "application/x-shellscript", "application/x-elf"}
)  # fmt: skip
#: Windows PE, ELF and Mach-O headers
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xce",
                     b"\xfe\xed\xfa\xcf")  # fmt: skip
#: types an agent's browser renders: their bytes must be what the name says
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/bmp": (b"BM",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/pdf": (b"%PDF-",),
}
EXECUTABLE = "исполняемые и активные файлы не принимаются / executable or active files are refused"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


@dataclass(frozen=True, slots=True)
class FileVerdict:
    """Either the attachment to store, or why it was refused (Russian / English)."""

    attachment: InboundAttachment | None = None
    refusal: str | None = None


def safe_filename(name: str, fallback: str) -> str:
    """The last path component, without control characters or trailing dots, at most 200 characters."""
    base = re.split(r"[\\/]", name.strip())[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" .")
    if not base:
        return fallback
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _extension(name: str) -> str:
    stem, dot, ext = name.lower().rpartition(".")
    return f".{ext}" if dot and stem else ""


def _refused(name: str, why: str) -> FileVerdict:
    return FileVerdict(refusal=f"вложение не принято / attachment not accepted: {name} — {why}")


def _archive_problem(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "архив повреждён / the archive is damaged"
    if any(_extension(n.rstrip(" .")) in DENIED_EXTENSIONS for n in names):
        return "в архиве исполняемый файл / the archive holds an executable"
    return None


def check_file(filename: str, declared: str, data: bytes, *, max_bytes: int) -> FileVerdict:
    """Keep the file, or say why not: executable, too large, type not accepted, bytes not matching."""
    ext = _extension(filename)
    declared = _TYPE_ALIASES.get(declared.lower(), declared.lower())
    if ext in DENIED_EXTENSIONS or declared in DENIED_TYPES or data.startswith(_EXECUTABLE_MAGIC):
        return _refused(filename, EXECUTABLE)
    if len(data) > max_bytes:
        limit = max_bytes / (1024 * 1024)
        return _refused(filename, f"больше {limit:g} МБ / larger than {limit:g} MB")
    if declared in ALLOWED_TYPES:
        content_type = declared
    elif ext in EXTENSION_TYPES:
        content_type = EXTENSION_TYPES[ext]
    else:
        return _refused(filename, f"тип {declared} не принимается / type {declared} is not accepted")
    magic = _MAGIC.get(content_type)
    if magic is not None and not data.startswith(magic):
        return _refused(filename, f"содержимое не похоже на {content_type} / content is not {content_type}")
    if content_type == "image/webp" and not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return _refused(filename, "содержимое не похоже на image/webp / content is not image/webp")
    if content_type == "application/zip":
        problem = _archive_problem(data)
        if problem is not None:
            return _refused(filename, problem)
    return FileVerdict(attachment=InboundAttachment(filename=filename, content_type=content_type, data=data))


def screen(filename: str, declared: str, data: bytes) -> tuple[InboundAttachment | None, str | None]:
    """``check_file`` at the shared size limit, in the shape ``base.fetch_files`` takes."""
    verdict = check_file(safe_filename(filename, "file"), declared, data, max_bytes=MAX_ATTACHMENT_BYTES)
    return verdict.attachment, verdict.refusal
