"""Run moto_server with DynamoDB calls and SQS deletes serialized.

moto 5.2.1 serves each request on its own thread but does not make every
backend change thread safe, and two races break what DynamoDB and SQS
document:

- DynamoDB: transact_write_items copies the tables, then restores that copy
  when a condition fails, without a lock. A concurrent cancelled
  transaction can erase writes that another request committed meanwhile,
  which DynamoDB's serializable transactions never do.
- SQS: Queue.delete_message rebuilds the message list without the lock that
  add_message takes, so a message sent at that moment can vanish.

This wrapper takes one lock around every DynamoDB item operation and the
queue's own lock around deletes, then starts moto's usual server. It exits
with status 3 when moto cannot be imported, so the caller can fall back to
the plain moto_server command.
"""

import functools
import sys
import threading

try:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.server import main
    from moto.sqs.models import Queue
except ImportError:
    sys.exit(3)

DYNAMODB_LOCK = threading.RLock()

DYNAMODB_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "transact_write_items",
    "transact_get_items",
    "batch_write_item",
)


def serialized(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with DYNAMODB_LOCK:
            return method(*args, **kwargs)

    return wrapper


for name in DYNAMODB_OPERATIONS:
    if hasattr(DynamoDBBackend, name):
        setattr(DynamoDBBackend, name, serialized(getattr(DynamoDBBackend, name)))

original_delete_message = Queue.delete_message


@functools.wraps(original_delete_message)
def delete_message_locked(self, receipt_handle):
    with self._messages_lock:
        return original_delete_message(self, receipt_handle)


Queue.delete_message = delete_message_locked

if __name__ == "__main__":
    main(sys.argv[1:])
