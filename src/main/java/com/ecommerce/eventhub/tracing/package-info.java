/**
 * Traces of an event's path (OpenTelemetry through Micrometer Tracing): the ingestion
 * request, the outbox row's {@code traceparent}, the relay's publish, the consumer
 * attempts and their SMTP sends and webhook calls, and the events the hub writes on the
 * way. Off until an OTLP endpoint is configured ({@link TracingSwitch}).
 */
package com.ecommerce.eventhub.tracing;
