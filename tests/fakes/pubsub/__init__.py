"""A TEST FAKE of Google Pub/Sub (google.pubsub.v1 over gRPC) for the real google-cloud-pubsub clients.

Google's emulator cannot be installed here and has no schema support, so tests point the real
clients (PublisherClient, SubscriberClient, SchemaServiceClient) at this fake through
PUBSUB_EMULATOR_HOST. It is a test double modelled on Google's documentation, NOT Pub/Sub.

Modelled:
- Publisher: CreateTopic, GetTopic, UpdateTopic (labels, schema_settings), ListTopics,
  ListTopicSubscriptions, DeleteTopic, Publish. A topic's schema_settings (schema, encoding
  JSON|BINARY, first/last revision id) are checked when set; Publish validates every message
  against the revisions in the range, newest first, and fails the whole request with
  INVALID_ARGUMENT when one message matches none; accepted messages carry googclient_schemaname
  (the schema's full name), googclient_schemarevisionid and googclient_schemaencoding
  ("JSON"|"BINARY"). A message with neither data nor attributes is refused.
- Subscriber: CreateSubscription / UpdateSubscription (ack_deadline_seconds 10..600, labels,
  dead_letter_policy with 5..100 attempts), GetSubscription, ListSubscriptions,
  DeleteSubscription, Pull, StreamingPull, Acknowledge, ModifyAckDeadline. Messages fan out to every
  subscription of the topic and are delivered again when nacked or past their deadline; with a
  dead-letter policy, delivery_attempt is reported and after max_delivery_attempts the message goes
  to the dead-letter topic with the CloudPubSubDeadLetterSource* attributes.
- SchemaService: CreateSchema, GetSchema (BASIC omits the definition; `name@revision` gets one
  revision), ListSchemas, ListSchemaRevisions (newest first), CommitSchema, RollbackSchema,
  DeleteSchemaRevision (`name@revision`; never the last one), DeleteSchema (its topics then name
  `_deleted-schema_` and refuse messages), ValidateSchema, ValidateMessage. Revision ids are 8 hex
  characters; create times strictly increase. At most 20 revisions per schema (a 21st commit is
  FAILED_PRECONDITION). An Avro revision must be compatible with every existing revision in both
  directions, judged by fastavro's own schema resolution: datums of each revision (one per enum
  symbol and union branch, plus seeded random ones) must be read by the other.
- Resource names: projects/{p}/{topics|subscriptions|schemas}/{id}, the ID by Pub/Sub's rule
  (letter first; letters, digits, - _ . ~ + %; 3..255 characters; not "goog..."), else
  INVALID_ARGUMENT. List calls are paged (page_size, page_token).
- Faults (`fake.faults`): refuse(method or "*", code, times=...) for PERMISSION_DENIED,
  UNAVAILABLE or any code; `unknown_projects` answer NOT_FOUND; `calls` / `calls_by_resource`
  count every call by gRPC method.

Not modelled: IAM, snapshots/seek, ordering keys, filters, exactly-once, push/BigQuery/Cloud
Storage subscriptions, retention, message storage policy, detaching; PROTOCOL_BUFFER messages are
not validated (definitions are stored; publishing to such a topic and ValidateMessage answer
UNIMPLEMENTED); compatibility is judged on datums, not proven (values under logical types are
only sampled at random); a commit identical to an existing revision still makes a new one; error codes Google
does not document (the revision limit, deleted schema, an unknown
revision in schema_settings) are this fake's choice.
"""

from .faults import Faults, Refusal
from .publisher import ATTR_SCHEMA_ENCODING, ATTR_SCHEMA_NAME, ATTR_SCHEMA_REVISION
from .schemas import COMPATIBILITY_SAMPLES, MAX_REVISIONS
from .server import FakePubSub, PubSubServer, running_fake, running_pubsub
from .world import PubSubWorld, Received, pubsub_world

__all__ = [
    "ATTR_SCHEMA_ENCODING",
    "ATTR_SCHEMA_NAME",
    "ATTR_SCHEMA_REVISION",
    "COMPATIBILITY_SAMPLES",
    "MAX_REVISIONS",
    "FakePubSub",
    "Faults",
    "PubSubServer",
    "PubSubWorld",
    "Received",
    "Refusal",
    "pubsub_world",
    "running_fake",
    "running_pubsub",
]
