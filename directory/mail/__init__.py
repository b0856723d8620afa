"""Outgoing email: Flask-Mailman over SMTP, or the console when no MAIL_SERVER is set.

Nothing sends mail directly. The domain writes each email to the outbox
(directory/domain/outbox.py) in the transaction of the change it tells of; once that
transaction commits, this package sends it, in a thread of its own so that no request
waits for the mail server (or at once, where MAIL_SEND_IN_BACKGROUND is off). A message
that fails stays in the outbox and is tried again by later sends and by
`flask mail send-pending`.
"""

from .delivery import Delivery, init_app, send_messages, send_pending, wait_for_senders

__all__ = ["Delivery", "init_app", "send_messages", "send_pending", "wait_for_senders"]
