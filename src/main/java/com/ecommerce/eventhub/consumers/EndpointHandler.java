package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import com.ecommerce.eventhub.tracing.EventTracing;
import io.micrometer.tracing.Span;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The handler of a YAML consumer route: sends the envelope (JSON body, no headers) to the
 * route's {@code target} endpoint, typically a {@code direct:} route of the same file
 * that forwards it. The event's id and type travel as exchange properties
 * {@code hubEventId} and {@code hubEventType}, and with tracing on the call's W3C trace
 * context as {@code hubTraceparent} (the shipped forwarder sends them as
 * {@code Idempotency-Key} and {@code traceparent}).
 *
 * <p>
 * An HTTP answer is classified as HTTP means it: 408, 425, 429 and 5xx are transient and
 * retried per the route's policy, after the answer's {@code Retry-After} when it has one
 * (capped at the route's {@code maxDelay}); any other 4xx or a 3xx is permanent and
 * dead-lettered at once. A timeout or a connection failure is transient. It runs outside
 * any database transaction: it waits on a peer.
 */
final class EndpointHandler implements EventHandler {

	private static final Logger log = LoggerFactory.getLogger(EndpointHandler.class);

	static final String EVENT_ID = "hubEventId";

	static final String EVENT_TYPE = "hubEventType";

	static final String TRACEPARENT = "hubTraceparent";

	/**
	 * A Retry-After further away than this is read as this; the route's maxDelay caps it
	 * again.
	 */
	private static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);

	private final ProducerTemplate producer;

	private final String target;

	private final Set<Integer> majors;

	private final EventTracing tracing;

	EndpointHandler(ProducerTemplate producer, String target, Set<Integer> majors, EventTracing tracing) {
		this.tracing = tracing;
		this.producer = producer;
		this.target = target;
		this.majors = Set.copyOf(majors);
	}

	/**
	 * Stops the route's own producer once its route is gone and its last attempt ended.
	 * Each route instance has one: a producer shared across reloads could keep, for one
	 * concurrent call, the {@code direct:} consumer of the route it replaced, stopped
	 * (camel-direct's producer refreshes its consumer without a lock).
	 */
	void stop() {
		try {
			this.producer.stop();
		}
		catch (RuntimeException ex) {
			log.debug("Stopping the producer of {} failed: {}", this.target, ex.getMessage());
		}
	}

	/**
	 * No event type in particular: every type its queue receives (see
	 * {@link #supportedMajors}).
	 */
	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return Map.of();
	}

	/** Every event type its queue receives, in the declared major versions. */
	@Override
	public Set<Integer> supportedMajors(String eventType) {
		return this.majors;
	}

	@Override
	public boolean transactional() {
		return false;
	}

	@Override
	public void handle(Envelope envelope) throws Exception {
		handle(envelope, EnvelopeJson.mapper().writeValueAsBytes(envelope));
	}

	/** Forwards the message body as it was consumed, not serialized again. */
	@Override
	public void handle(Envelope envelope, byte[] body) throws Exception {
		Span span = this.tracing.start("call " + this.target, Span.Kind.CLIENT, null, null);
		try {
			call(envelope, body, span);
		}
		catch (Exception ex) {
			span.error(ex);
			throw ex;
		}
		finally {
			span.end();
		}
	}

	private void call(Envelope envelope, byte[] body, Span span) throws Exception {
		Exchange result = this.producer.send(this.target, exchange -> {
			exchange.setProperty(EVENT_ID, envelope.eventId().toString());
			exchange.setProperty(EVENT_TYPE, envelope.eventType());
			exchange.setProperty(TRACEPARENT, this.tracing.traceparentOf(span));
			exchange.getMessage().setBody(body);
		});
		Exception failure = result.getException();
		if (failure == null) {
			return;
		}
		HttpOperationFailedException http = result.getException(HttpOperationFailedException.class);
		if (http == null) {
			throw failure;
		}
		int status = http.getStatusCode();
		if (isTransient(status)) {
			throw new RetryLaterException("target answered HTTP " + status, retryAfter(http.getResponseHeaders()),
					failure);
		}
		throw new PermanentFailureException("target answered HTTP " + status, failure);
	}

	/**
	 * @param status an HTTP status code of a failed call
	 * @return whether trying again later may succeed: 408, 425, 429 and 5xx
	 */
	static boolean isTransient(int status) {
		return status == 408 || status == 425 || status == 429 || status >= 500;
	}

	/**
	 * Reads {@code Retry-After}: delta-seconds or an HTTP date.
	 * @param headers the answer's headers (any case)
	 * @return the wait it asks for, null when absent or unreadable
	 */
	static Duration retryAfter(Map<String, String> headers) {
		if (headers == null) {
			return null;
		}
		String value = headers.entrySet()
			.stream()
			.filter(header -> "Retry-After".equalsIgnoreCase(header.getKey()))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse(null);
		if (value == null || value.isBlank() || value.length() > 64) {
			return null;
		}
		String text = value.trim();
		if (text.matches("\\d{1,9}")) {
			return min(Duration.ofSeconds(Long.parseLong(text)), LONGEST_RETRY_AFTER);
		}
		try {
			Duration until = Duration.between(Instant.now(),
					ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
			return until.isNegative() ? Duration.ZERO : min(until, LONGEST_RETRY_AFTER);
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
