"""Words of the public pages and endpoints, Russian first, English second (Babel comes with the agent UI)."""

from __future__ import annotations

from typing import Any

from otklik.core.i18n import LANGS, pick_lang

TEXTS: dict[str, tuple[str, str]] = {
    # refusals of the public endpoints
    "visitor_token_required": (
        "Нужен токен посетителя: получите его через POST /api/v1/public/chat/visitors "
        "и передайте в заголовке X-Otklik-Visitor.",
        "A visitor token is required: get one from POST /api/v1/public/chat/visitors "
        "and send it in the X-Otklik-Visitor header.",
    ),
    "visitor_token_invalid": (
        "Токен посетителя поддельный или повреждён; получите новый.",
        "The visitor token is forged or damaged; get a new one.",
    ),
    "visitor_ticket_forbidden": (
        "Этот разговор вам недоступен.",
        "This conversation is not yours.",
    ),
    "rate_limited": (
        "Слишком много запросов. Повторите через {retry_after} с.",
        "Too many requests. Try again in {retry_after} s.",
    ),
    "contact_required": (
        "Укажите e-mail или телефон, чтобы мы могли с вами связаться.",
        "Give an email or a phone number so that we can reach you.",
    ),
    "email_invalid": ("Это не похоже на адрес электронной почты.", "This does not look like an email address."),
    "phone_invalid": ("Это не похоже на номер телефона.", "This does not look like a phone number."),
    "text_required": ("Напишите, что случилось.", "Tell us what happened."),
    "text_too_long": ("Текст длиннее {limit} символов.", "The text is over {limit} characters."),
    "field_too_long": ("Значение длиннее {limit} символов.", "The value is over {limit} characters."),
    "value_invalid": ("Недопустимое значение.", "This value is not allowed."),
    "body_too_large": ("Запрос слишком большой.", "The request is too large."),
    "form_type": (
        "Форма отправляется как application/x-www-form-urlencoded.",
        "The form is sent as application/x-www-form-urlencoded.",
    ),
    "title.429": ("Слишком много запросов", "Too many requests"),
    "title.413": ("Слишком большой запрос", "Request too large"),
    "title.415": ("Неподдерживаемый формат", "Unsupported media type"),
    # the form page
    "form.title": ("Написать в поддержку", "Contact support"),
    "form.lead": (
        "Опишите вопрос — мы ответим здесь же, по ссылке на ваше обращение.",
        "Describe your question: we answer on your ticket's page, by its link.",
    ),
    "form.name": ("Как к вам обращаться", "Your name"),
    "form.email": ("E-mail", "Email"),
    "form.phone": ("Телефон", "Phone"),
    "form.contact_hint": ("Нужен e-mail или телефон.", "An email or a phone number is needed."),
    "form.subject": ("Тема", "Subject"),
    "form.text": ("Сообщение", "Message"),
    "form.submit": ("Отправить", "Send"),
    "form.errors": ("Проверьте поля формы.", "Please check the form."),
    "form.optional": ("необязательно", "optional"),
    # the contacts a form message carries, in the customer's language
    "contact.name": ("Имя", "Name"),
    "contact.email": ("E-mail", "Email"),
    "contact.phone": ("Телефон", "Phone"),
    # the ticket page
    "follow.title": ("Обращение {number}", "Ticket {number}"),
    "follow.created": (
        "Обращение создано. Сохраните ссылку на эту страницу: здесь появится ответ.",
        "Your ticket is created. Keep the link to this page: the answer will appear here.",
    ),
    "follow.owner": ("Вашим обращением занимается {name}", "{name} is handling your request"),
    "follow.no_owner": (
        "Обращение в очереди: специалист скоро возьмёт его в работу.",
        "Your request is in the queue: a specialist will take it shortly.",
    ),
    "follow.status": ("Статус", "Status"),
    "follow.hold": ("Мы обещали вернуться к вам до {until}.", "We promised to come back to you by {until}."),
    "follow.you": ("Вы", "You"),
    "follow.support": ("Поддержка", "Support"),
    "follow.conversation": ("Переписка", "Conversation"),
    "follow.empty": ("Сообщений пока нет.", "No messages yet."),
    "follow.readonly": (
        "Чтобы дописать, ответьте в том канале, где вы начали разговор.",
        "To add something, write in the channel where you started the conversation.",
    ),
    "status.new": ("Новое", "New"),
    "status.open": ("В работе", "In progress"),
    "status.pending_customer": ("Ждём вашего ответа", "Waiting for your reply"),
    "status.on_hold": ("Мы проверяем и вернёмся с ответом", "We are checking and will come back to you"),
    "status.solved": ("Решено", "Solved"),
    "status.closed": ("Закрыто", "Closed"),
    "delivery.queued": ("отправляется", "sending"),
    "delivery.sent": ("доставлено", "delivered"),
    "delivery.failed": ("не доставлено", "not delivered"),
    "missing.title": ("Ссылка не найдена", "Link not found"),
    "missing.text": (
        "Ссылка неполная или устарела. Проверьте, что скопировали её целиком.",
        "The link is incomplete or outdated. Check that you copied all of it.",
    ),
    "lang.other": ("English", "Русский"),
}


def text(key: str, lang: str, **params: Any) -> str:
    """The words for ``key`` in ``lang`` (Russian for any other language), ``params`` filled in."""
    ru, en = TEXTS.get(key, (key, key))
    template = en if lang == "en" else ru
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def page_lang(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins over Accept-Language; Russian when neither names one of ours."""
    if query_lang in LANGS:
        return str(query_lang)
    return pick_lang(accept_language)


def other_lang(lang: str) -> str:
    return "ru" if lang == "en" else "en"
