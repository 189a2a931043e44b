"""The one task: send a message. Its only argument is the message's id (the queue stores arguments)."""

from django_tasks import task

from messaging.services import deliver


@task()
def send_message(message_id: str) -> str:
    return str(deliver(message_id=message_id))
