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

moto 5.2.1 also backs up every table that a TransactWriteItems call
touches with a deep copy, to restore it when the transaction is cancelled.
That makes each transaction cost time in proportion to the table size. In
a full chaos run the process grew past 17 GB after about 700 tasks and took
27 s for a ListTables call. Because the lock below already serializes DynamoDB,
the wrapper backs up only the items that the transaction names instead.

This wrapper takes one lock around every DynamoDB item operation and the
queue's own lock around deletes, then starts moto's usual server. It exits
with status 3 when moto cannot be imported, so the caller can fall back to
the plain moto_server command.
"""

import copy
import functools
import sys
import threading

try:
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
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


class TableCopyShim:
    """The copy module for moto.dynamodb.models, minus deep copies of tables."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


dynamodb_models.copy = TableCopyShim()

original_transact_write_items = DynamoDBBackend.transact_write_items


def item_backups(backend, transact_items):
    """Return (table, hash key, range key, copy of the item or None) per entry."""
    backups = []
    for entry in transact_items:
        try:
            op_type, op = next(iter(entry.items()))
            table = backend.tables[op["TableName"]]
            if op_type == "Put":
                key_names = [table.hash_key_attr, table.range_key_attr]
                key = {n: op["Item"][n] for n in key_names if n is not None}
            else:
                key = op["Key"]
            hash_key, range_key = backend.get_keys_value(table, key)
        except Exception:
            # moto rejects this entry before it writes anything.
            continue
        item = table.get_item(hash_key, range_key)
        backups.append((table, hash_key, range_key, copy.deepcopy(item)))
    return backups


def restore(backups):
    for table, hash_key, range_key, item in reversed(backups):
        if range_key is not None:
            if item is None:
                table.items[hash_key].pop(range_key, None)
            else:
                table.items[hash_key][range_key] = item
        elif item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item


@functools.wraps(original_transact_write_items)
def transact_write_items(self, transact_items):
    backups = item_backups(self, transact_items)
    try:
        return original_transact_write_items(self, transact_items)
    except BaseException:
        restore(backups)
        raise


DynamoDBBackend.transact_write_items = transact_write_items

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
