"""Message catalogue for API errors and CLI output: Russian first, English second."""

from __future__ import annotations

from typing import Any

LANGS = ("ru", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    # authentication and rights
    "auth_required": {
        "ru": "Нужна авторизация: передайте заголовок Authorization: Bearer <токен>.",
        "en": "Authentication required: send the header Authorization: Bearer <token>.",
    },
    "token_invalid": {
        "ru": "Токен не найден или отозван.",
        "en": "The token is unknown or has been revoked.",
    },
    "credentials_invalid": {
        "ru": "Неверная почта или пароль.",
        "en": "Wrong email or password.",
    },
    "agent_inactive": {
        "ru": "Учётная запись сотрудника {name} отключена.",
        "en": "The agent account {name} is deactivated.",
    },
    "role_required": {
        "ru": "Это действие доступно только роли «{role}».",
        "en": "Only the role '{role}' may do this.",
    },
    "ticket_forbidden": {
        "ru": "Обращение #{ticket_id} относится к чужой команде, у вас нет к нему доступа.",
        "en": "Ticket #{ticket_id} belongs to another team; you have no access to it.",
    },
    "assign_forbidden": {
        "ru": "Назначать обращения другим сотрудникам могут руководитель команды и администратор.",
        "en": "Only a team lead or an admin may assign tickets to other agents.",
    },
    # not found
    "ticket_not_found": {
        "ru": "Обращение #{ticket_id} не найдено.",
        "en": "Ticket #{ticket_id} was not found.",
    },
    "agent_not_found": {
        "ru": "Сотрудник {agent} не найден.",
        "en": "Agent {agent} was not found.",
    },
    "customer_not_found": {
        "ru": "Клиент {customer_id} не найден.",
        "en": "Customer {customer_id} was not found.",
    },
    "team_not_found": {
        "ru": "Команда «{team}» не найдена.",
        "en": "Team '{team}' was not found.",
    },
    # lifecycle conflicts
    "transition_not_allowed": {
        "ru": "Действие «{action}» невозможно для обращения в статусе «{status}».",
        "en": "The action '{action}' is not possible for a ticket in status '{status}'.",
    },
    "solve_needs_agent_reply": {
        "ru": "Нельзя отметить обращение решённым: последнее публичное сообщение — от клиента. "
        "Сначала ответьте клиенту (или передайте текст ответа в поле text).",
        "en": "The ticket cannot be solved: the last public message is the customer's. "
        "Reply first (or pass the reply in the text field).",
    },
    "solve_needs_agent_reply:page": {
        "ru": "Нельзя отметить обращение решённым: последнее публичное сообщение — от клиента. "
        "Сначала ответьте клиенту.",
        "en": "The ticket cannot be solved: the last public message is the customer's. Reply to the customer first.",
    },
    "hold_in_past": {
        "ru": "Срок обещания должен быть в будущем (сейчас {now}).",
        "en": "The promised time must be in the future (now is {now}).",
    },
    "hold_needs_owner": {
        "ru": "У обращения #{ticket_id} нет ответственного: назначьте его, прежде чем обещать срок.",
        "en": "Ticket #{ticket_id} has no owner: assign one before making a promise.",
    },
    "triage_needs_owner": {
        "ru": "Разобранное обращение #{ticket_id} должно иметь ответственного: укажите assignee_id.",
        "en": "A triaged ticket #{ticket_id} must have an owner: give assignee_id.",
    },
    "owner_cannot_be_removed": {
        "ru": "У обращения всегда есть ответственный: его можно передать коллеге, но не снять.",
        "en": "A ticket always keeps an owner: transfer it to a colleague instead of unassigning.",
    },
    "transfer_to_self": {
        "ru": "Обращение уже у сотрудника {name}.",
        "en": "The ticket is already owned by {name}.",
    },
    "agent_unavailable": {
        "ru": "Сотрудник {name} отключён и не может вести обращения.",
        "en": "Agent {name} is deactivated and cannot own tickets.",
    },
    "identity_taken": {
        "ru": "Идентификатор {kind}:{value} уже принадлежит клиенту {customer_id}.",
        "en": "The identity {kind}:{value} already belongs to customer {customer_id}.",
    },
    "agent_email_taken": {
        "ru": "Сотрудник с адресом {email} уже есть.",
        "en": "An agent with the email {email} already exists.",
    },
    # malformed input
    "invalid_field": {
        "ru": "Поле «{field}»: {reason}",
        "en": "Field '{field}': {reason}",
    },
    "invalid_cursor": {
        "ru": "Курсор страницы повреждён или устарел; запросите первую страницу заново.",
        "en": "The page cursor is damaged or stale; request the first page again.",
    },
    "invalid_json": {
        "ru": "Тело запроса — не корректный JSON: {reason}",
        "en": "The request body is not valid JSON: {reason}",
    },
    "text_empty": {
        "ru": "Текст сообщения пуст.",
        "en": "The message text is empty.",
    },
    "invalid_identity": {
        "ru": "Значение «{value}» не похоже на {kind}.",
        "en": "The value '{value}' does not look like a valid {kind}.",
    },
    "external_id_conflict": {
        "ru": "Сообщение {channel}:{external_id} уже сохранено.",
        "en": "Message {channel}:{external_id} is already stored.",
    },
    "channel_not_configured": {
        "ru": "Канал {channel} не настроен для приёма: {reason}",
        "en": "Channel {channel} is not set up to receive: {reason}",
    },
    "webhook_auth_failed": {
        "ru": "Вебхук {channel} не прошёл проверку подлинности: {reason}",
        "en": "The {channel} webhook failed authentication: {reason}",
    },
    "webhook_payload": {
        "ru": "Вебхук {channel}: тело запроса не разобрать: {reason}",
        "en": "The {channel} webhook body cannot be read: {reason}",
    },
    "posted_not_a_reply": {
        "ru": "Сообщение {message_id} — не публичный ответ агента, подтверждать публикацию нечего.",
        "en": "Message {message_id} is not an agent's public reply; there is no posting to confirm.",
    },
    "posted_not_waiting": {
        "ru": "Сообщение {message_id} не ждёт публикации (состояние: {state}).",
        "en": "Message {message_id} is not waiting to be posted (state: {state}).",
    },
    "message_not_found": {
        "ru": "Сообщение {message_id} не найдено.",
        "en": "Message {message_id} was not found.",
    },
    "notification_not_found": {
        "ru": "Уведомление {notification_id} не найдено.",
        "en": "Notification {notification_id} was not found.",
    },
    "channel_unknown": {
        "ru": "Канала «{channel}» нет. Есть: {known}.",
        "en": "There is no channel '{channel}'. Known: {known}.",
    },
    # one person across channels: links, merges, rate limits
    "rate_limited": {
        "ru": "Слишком много сообщений от {sender}: не больше {limit}. Повторите через {retry_after} с.",
        "en": "Too many messages from {sender}: at most {limit}. Retry in {retry_after} s.",
    },
    "customer_merged": {
        "ru": "Клиент {customer_id} уже объединён с клиентом {into}: работайте с ним.",
        "en": "Customer {customer_id} has been merged into customer {into}: use that one.",
    },
    "identity_not_found": {
        "ru": "У клиента {customer_id} нет адреса {identity_id}.",
        "en": "Customer {customer_id} has no identity {identity_id}.",
    },
    "link_code_no_address": {
        "ru": "У клиента нет адреса «{kind}» для канала {channel}: код некуда отправить.",
        "en": "The customer has no '{kind}' address for channel {channel}: nowhere to send the code.",
    },
    "link_code_channel": {
        "ru": "Код нельзя отправить через {channel}: клиент его там не увидит. Выберите почту или мессенджер.",
        "en": "A code cannot be sent through {channel}: the customer would not see it. Choose e-mail or a messenger.",
    },
    "merge_same": {
        "ru": "Нельзя объединить {id} с самим собой.",
        "en": "{id} cannot be merged with itself.",
    },
    "merge_other_customer": {
        "ru": "Обращения #{source} и #{target} — разных клиентов: сначала объедините клиентов.",
        "en": "Tickets #{source} and #{target} belong to different customers: merge the customers first.",
    },
    "merge_public_private": {
        "ru": "Публичное и личное обращения (#{source}, #{target}) не объединяются: они связываются ссылкой.",
        "en": "A public and a private ticket (#{source}, #{target}) are not merged: they are linked instead.",
    },
    "merge_not_found": {
        "ru": "Объединение {merge_id} не найдено.",
        "en": "Merge {merge_id} was not found.",
    },
    "merge_already_undone": {
        "ru": "Объединение {merge_id} уже отменено.",
        "en": "Merge {merge_id} has already been undone.",
    },
    "merge_overtaken": {
        "ru": "Объединение {merge_id} нельзя отменить: обращение #{ticket_id} с тех пор объединено иначе.",
        "en": "Merge {merge_id} cannot be undone: ticket #{ticket_id} has been merged differently since.",
    },
    "not_duplicate_candidate": {
        "ru": "#{other_id} не предлагается как дубль #{ticket_id}.",
        "en": "#{other_id} is not offered as a duplicate of #{ticket_id}.",
    },
    "link_code.subject": {"ru": "Код для связи обращений", "en": "Your linking code"},
    "link_code.text": {
        "ru": "Ваш код: {value}. Отправьте его одним сообщением из другого канала, где вы нам пишете "
        "(Telegram, ВКонтакте, WhatsApp, почта), и мы объединим ваши обращения. Код действует 24 часа.",
        "en": "Your code: {value}. Send it as a single message from the other channel you write to us from "
        "(Telegram, VK, WhatsApp, e-mail) and we will join your requests. The code is valid for 24 hours.",
    },
    "link.went_public": {
        "ru": "вышла в публичное поле через {days}",
        "en": "went public after {days}",
    },
    "link.merged": {
        "ru": "обращение #{from_id} объединено с #{to_id}",
        "en": "ticket #{from_id} was merged into #{to_id}",
    },
    # notifications (rendered when read, in the reader's language)
    "target.response": {"ru": "ответа", "en": "response"},
    "target.resolution": {"ru": "решения", "en": "resolution"},
    "notify.sla_warn": {
        "ru": "Обращение #{ticket_id}: срок {target} истекает в {due}. Ответьте клиенту.",
        "en": "Ticket #{ticket_id}: the {target} target runs out at {due}. Answer the customer.",
    },
    "notify.sla_breach": {
        "ru": "Обращение #{ticket_id}: срок {target} нарушен ({due}). Ответственный — {owner}.",
        "en": "Ticket #{ticket_id}: the {target} target was breached ({due}). Owner: {owner}.",
    },
    "notify.sla_escalate": {
        "ru": "Обращение #{ticket_id}: срок {target} нарушен в полтора раза ({due}). Ответственный — {owner}.",
        "en": "Ticket #{ticket_id}: the {target} target is 50% past breach ({due}). Owner: {owner}.",
    },
    "notify.delivery_failed": {
        "ru": "Ответ в обращении #{ticket_id} не доставлен: {error}. Клиент его не получил.",
        "en": "The reply on ticket #{ticket_id} was not delivered: {error}. The customer did not get it.",
    },
    "notify.follow_up_due": {
        "ru": "Обращение #{ticket_id}: наступил обещанный срок — «{promise}». Клиент ждёт.",
        "en": "Ticket #{ticket_id}: the promised time has come — “{promise}”. The customer is waiting.",
    },
    "notify.customer_age": {
        "ru": "Клиент ждёт решения по обращению #{ticket_id} уже {days} дн. Ответственный — {owner}.",
        "en": "The customer has waited {days} days for ticket #{ticket_id} to be solved. Owner: {owner}.",
    },
    "notify.backlog_reminder": {
        "ru": "Обращение #{ticket_id} ждёт ответа с {since}; срок истёк {due}. Напоминание повторится.",
        "en": "Ticket #{ticket_id} has waited for an answer since {since}; the target passed at {due}. "
        "This reminder repeats.",
    },
    "notify.daily_digest": {
        "ru": "Сводка команды «{team}»: просрочено {breached}, ждут дольше суток {aging}. Старейшие: {tickets}.",
        "en": "Team '{team}' digest: {breached} breached, {aging} waiting over a day. Oldest first: {tickets}.",
    },
    # routing: owners by skill, load, presence and shift (otklik.routing)
    "notify.routing_alarm": {
        "ru": "Обращение #{ticket_id}: нет свободных специалистов ({category_ru}), оно передано вам ({owner}). "
        "Ответьте клиенту или передайте обращение; как только освободится специалист, оно перейдёт к нему.",
        "en": "Ticket #{ticket_id}: no specialist is free ({category_en}), so it went to you ({owner}). "
        "Answer the customer or hand it on; it moves to a specialist as soon as one is free.",
    },
    "notify.routing_reassigned": {
        "ru": "Обращение #{ticket_id} теперь ваше: {absence_ru}. Клиент ждёт ответа с {since}.",
        "en": "Ticket #{ticket_id} is now yours: {absence_en}. The customer has waited for an answer since {since}.",
    },
    "notify.routing_transferred": {
        "ru": "Обращение #{ticket_id} передано вам (команда «{team}»). Причина: {reason}. От кого: {by}.",
        "en": "Ticket #{ticket_id} was handed to you (team '{team}'). Reason: {reason}. From: {by}.",
    },
    "notify.routing_escalated": {
        "ru": "Обращение #{ticket_id} эскалировано вам. Причина: {reason}. От кого: {by}.",
        "en": "Ticket #{ticket_id} was escalated to you. Reason: {reason}. From: {by}.",
    },
    "routing_owned": {
        "ru": "У обращения #{ticket_id} уже есть ответственный: {name}. Передайте его с причиной.",
        "en": "Ticket #{ticket_id} already has an owner: {name}. Transfer it with a reason instead.",
    },
    "team_nobody": {
        "ru": "В команде «{team}» сейчас некому передать обращение: нет ни свободных сотрудников, ни руководителя.",
        "en": "Nobody in team '{team}' can take the ticket now: no free member and no lead.",
    },
    "escalation_nobody": {
        "ru": "Обращение #{ticket_id} некому эскалировать: нет активного руководителя команды и администратора.",
        "en": "Ticket #{ticket_id} cannot be escalated: there is no active team lead or admin.",
    },
    "transfer_team_forbidden": {
        "ru": "Передать обращение #{ticket_id} в другую команду может его ответственный, "
        "руководитель или администратор.",
        "en": "Only the owner of ticket #{ticket_id}, a team lead or an admin may hand it to another team.",
    },
    "manage_agent_forbidden": {
        "ru": "Менять смену, навыки, языки и нагрузку сотрудника {name} может руководитель его команды "
        "или администратор.",
        "en": "Only a lead of {name}'s team or an admin may change their shift, skills, languages or capacity.",
    },
    # reply policy and public answers (otklik.quality.actions, otklik.quality.public)
    "reply_blocked": {
        "ru": "Ответ не отправлен: на канале «{channel}» такое не пропускается — {flags}. Исправьте отмеченные "
        "фразы или отправьте как есть, указав причину в override_reason.",
        "en": "The reply was not sent: the '{channel}' channel does not let this through — {flags}. Fix the marked "
        "phrases, or send it as it is with a reason in override_reason.",
    },
    "reply_blocked:page": {
        "ru": "Ответ не отправлен: на канале «{channel}» такое не пропускается — {flags}. Исправьте отмеченные "
        "фразы или отправьте как есть, написав, почему эти слова здесь уместны.",
        "en": "The reply was not sent: the '{channel}' channel does not let this through — {flags}. Fix the marked "
        "phrases, or send it as it is, saying why this wording is right here.",
    },
    "override_reason_empty:page": {
        "ru": "Чтобы отправить ответ вопреки проверке, напишите, почему эти слова здесь уместны.",
        "en": "To send a reply against the check, say why this wording is right here.",
    },
    "override_reason_empty": {
        "ru": "Чтобы отправить ответ вопреки проверке, напишите причину в override_reason.",
        "en": "To send a reply against the check, write the reason in override_reason.",
    },
    "dismissal_not_flagged": {
        "ru": "Проверка не ставила этому черновику флаги: {codes}. Отклонить можно только поставленные.",
        "en": "The check did not raise these flags on the draft: {codes}. Only raised flags can be dismissed.",
    },
    "public_draft_not_public": {
        "ru": "Обращение #{ticket_id} не публичное: публичный ответ готовится только на публичные жалобы.",
        "en": "Ticket #{ticket_id} is not public: a public answer is drafted only for public complaints.",
    },
    "public_draft_needs_owner": {
        "ru": "У обращения #{ticket_id} нет ответственного: назначьте его, и публичный ответ назовёт его по имени.",
        "en": "Ticket #{ticket_id} has no owner: assign one, and the public answer will name them.",
    },
    # channel parity (otklik.analytics)
    "notify.parity_public_faster": {
        "ru": "Публичным жалобам отвечают быстрее, чем личным обращениям: медиана первого ответа {public_minutes} "
        "мин против {private_minutes} мин за {days} дн. Клиенты поймут, что жаловаться публично выгоднее.",
        "en": "Public complaints get answered faster than private requests: median first response "
        "{public_minutes} min against {private_minutes} min over {days} days. Customers will learn that "
        "complaining in public pays.",
    },
    "notify.parity_went_public_growing": {
        "ru": "Доля клиентов, вынесших нерешённое обращение в публичное поле, выросла на {growth}% за неделю "
        "{week}: {share}% против {previous_share}% ({customers} из {base}).",
        "en": "The share of customers who went public after an unresolved private request grew {growth}% in week "
        "{week}: {share}% against {previous_share}% ({customers} of {base}).",
    },
    # the customer portal (otklik.tickets.portal, otklik.web.portal)
    "portal_link.subject": {"ru": "Вход в обращения", "en": "Sign in to your requests"},
    "portal_link.text": {
        "ru": "Ссылка для входа в ваши обращения: {url}\nОна действует {minutes} мин. и один раз. "
        "Если вы не просили её, просто не открывайте.",
        "en": "Your link to sign in to your requests: {url}\nIt works once, for {minutes} min. "
        "If you did not ask for it, do not open it.",
    },
    "portal_link_channel": {
        "ru": "Ссылку для входа можно отправить почтой или в мессенджер, но не в канал «{channel}».",
        "en": "A sign-in link goes by email or messenger, not through '{channel}'.",
    },
    "portal_not_yours": {
        "ru": "Отвечать по обращению #{ticket_id} может только тот, кто его написал.",
        "en": "Only the person who wrote ticket #{ticket_id} may answer for it.",
    },
    "survey_not_closed": {
        "ru": "Оценить можно закрытое обращение; #{ticket_id} ещё не закрыто.",
        "en": "Only a closed ticket can be rated; #{ticket_id} is not closed yet.",
    },
    "survey_done": {
        "ru": "Вы уже ответили на вопрос об обращении #{ticket_id}. Спасибо!",
        "en": "You have already answered about ticket #{ticket_id}. Thank you!",
    },
    "escalation_not_allowed": {
        "ru": "Передать обращение #{ticket_id} руководителю сейчас нельзя: сроки не нарушены "
        "или руководитель уже смотрит его.",
        "en": "Ticket #{ticket_id} cannot go to a lead now: no target is breached or a lead is already on it.",
    },
    "escalation_open": {
        "ru": "Обращение #{ticket_id} уже передано руководителю.",
        "en": "Ticket #{ticket_id} is already in front of a lead.",
    },
    "escalation_not_found": {
        "ru": "По обращению #{ticket_id} нет неподтверждённой эскалации.",
        "en": "Ticket #{ticket_id} has no unacknowledged escalation.",
    },
    "escalation_ack_forbidden": {
        "ru": "Подтвердить эскалацию может {name}, руководитель поддержки или администратор.",
        "en": "Only {name}, the head of support or an admin may acknowledge this escalation.",
    },
    "notify.portal_escalation": {
        "ru": "Клиент передал вам обращение #{ticket_id} ({reason_ru}). Ответственный — {owner}. "
        "Подтвердите, что взяли его под контроль, до {due}.",
        "en": "The customer escalated ticket #{ticket_id} to you ({reason_en}). Owner: {owner}. "
        "Acknowledge it by {due}.",
    },
    "notify.portal_escalation_overdue": {
        "ru": "Обращение #{ticket_id}: {lead} не подтвердил эскалацию клиента к сроку ({due}).",
        "en": "Ticket #{ticket_id}: {lead} did not acknowledge the customer's escalation by {due}.",
    },
}


def translate(code: str, lang: str = "ru", **params: Any) -> str:
    """The message for ``code`` in ``lang`` (falls back to Russian, then to the code)."""
    entry = CATALOGUE.get(code)
    if entry is None:
        return code
    template = entry.get(lang) or entry["ru"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def pick_lang(accept_language: str | None, default: str = "ru") -> str:
    """The first of our languages named in an Accept-Language header, else ``default``."""
    if not accept_language:
        return default
    for part in accept_language.split(","):
        tag = part.split(";", 1)[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return default


def ru_count(number: int, one: str, few: str, many: str) -> str:
    """«1 обращение», «3 обращения», «32 обращения», «11 обращений»."""
    tens, units = number % 100, number % 10
    if 11 <= tens <= 14:
        word = many
    elif units == 1:
        word = one
    elif 2 <= units <= 4:
        word = few
    else:
        word = many
    return f"{number} {word}"
