package com.ecommerce.eventhub.consumers;

import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.envelope.Envelope;

/**
 * What a hub consumer does with an event. The consumer foundation calls it once per
 * event: after the envelope validated and after the version check.
 *
 * <p>
 * A handler that works on the database only ({@link #transactional()} true, the default)
 * runs inside the database transaction that also records the eventId, so work done with
 * the application's {@code DataSource} (e.g. a {@code JdbcTemplate}) commits together
 * with that record or not at all. A handler that calls a remote peer (SMTP, HTTP) says
 * {@code transactional() == false}: it runs with no transaction and no connection held
 * while it waits on the peer, the eventId is recorded after it returned, and whatever it
 * writes it writes in short transactions of its own.
 *
 * <p>
 * Modelled on the spec's "Event Versioning" example: the handler declares the major
 * versions it understands per event type and branches on {@link Envelope#eventVersion()}
 * if it takes several. A higher minor of a declared major is passed in (unknown fields
 * are ignored); any other major is refused with {@code UnsupportedVersionError} before
 * {@link #handle} is called.
 */
public interface EventHandler {

	/**
	 * The event types this handler takes, each with the major versions it understands,
	 * e.g. {@code order.placed -> [1, 2]}. Events of other types that reach its queue are
	 * acknowledged and skipped.
	 * @return the supported versions by event type
	 */
	Map<String, Set<Integer>> supportedVersions();

	/**
	 * The major versions this handler understands of one event type.
	 * @param eventType an event type
	 * @return the majors, or null when the handler does not take the type
	 */
	default Set<Integer> supportedMajors(String eventType) {
		return supportedVersions().get(eventType);
	}

	/**
	 * Whether the handler takes events of a type at all; events of other types that reach
	 * its queue are acknowledged and skipped.
	 * @param eventType an event type
	 * @return true when it takes the type
	 */
	default boolean takes(String eventType) {
		return supportedMajors(eventType) != null;
	}

	/**
	 * Whether the handler understands a major version of an event type. An event of a
	 * type it takes but in a major it does not support is refused with
	 * {@code UnsupportedVersionError}.
	 * @param eventType an event type
	 * @param major a major version
	 * @return true when it supports the major
	 */
	default boolean supports(String eventType, int major) {
		Set<Integer> majors = supportedMajors(eventType);
		return majors != null && majors.contains(major);
	}

	/**
	 * Whether {@link #handle} runs inside the transaction that records the eventId.
	 * Handlers that call a remote peer answer false: no database connection may be held
	 * while a peer is slow.
	 * @return true for database-only handlers
	 */
	default boolean transactional() {
		return true;
	}

	/**
	 * Handles one event. Throw
	 * {@link com.ecommerce.eventhub.envelope.PermanentFailureException} for a failure
	 * retrying cannot fix, {@link RetryLaterException} for one the peer asked to retry
	 * after a while; any other exception is retried per the route's redelivery policy.
	 * @param envelope the validated event
	 * @throws Exception when handling failed
	 */
	void handle(Envelope envelope) throws Exception;

	/**
	 * Handles one event, with its message body as it was consumed: for a handler that
	 * passes the event on as it is (a forward), so it is not serialized again. The
	 * default calls {@link #handle(Envelope)}.
	 * @param envelope the validated event
	 * @param json the message body, the envelope's JSON
	 * @throws Exception when handling failed
	 */
	default void handle(Envelope envelope, byte[] json) throws Exception {
		handle(envelope);
	}

}
