package com.ecommerce.eventhub.consumers;

import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.envelope.Envelope;

/**
 * What a hub consumer does with an event. The consumer foundation calls it once per event: after
 * the envelope validated, after the version check, and inside the database transaction that also
 * records the eventId, so database work done with the application's {@code DataSource} (e.g. a
 * {@code JdbcTemplate}) commits together with that record or not at all.
 *
 * <p>
 * Modelled on the spec's "Event Versioning" example: the handler declares the major versions it
 * understands per event type and branches on {@link Envelope#eventVersion()} if it takes several.
 * A higher minor of a declared major is passed in (unknown fields are ignored); any other major is
 * refused with {@code UnsupportedVersionError} before {@link #handle} is called.
 */
public interface EventHandler {

	/**
	 * The event types this handler takes, each with the major versions it understands, e.g.
	 * {@code order.placed -> [1, 2]}. Events of other types that reach its queue are acknowledged and
	 * skipped.
	 * @return the supported versions by event type
	 */
	Map<String, Set<Integer>> supportedVersions();

	/**
	 * Handles one event. Throw {@link com.ecommerce.eventhub.envelope.PermanentFailureException} for
	 * a failure retrying cannot fix; any other exception is retried per the route's redelivery policy.
	 * @param envelope the validated event
	 * @throws Exception when handling failed
	 */
	void handle(Envelope envelope) throws Exception;

}
