package com.ecommerce.eventhub.consumers;

import java.util.Optional;
import java.util.UUID;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.PermanentFailureException;

import org.springframework.stereotype.Component;

/**
 * {@code afterDeadLetter: park} of an ordered route: a dead-lettered event stops its
 * aggregate. The aggregate's later events are dead-lettered behind it, in order, so none
 * is handled before it; replaying the dead letters handles the parked event first, which
 * lets the aggregate go on, and then the ones behind it. Routes with {@code skip} (the
 * default) and unordered routes pass through without a query.
 */
@Component
class AggregateParking {

	private final ParkedAggregates parked;

	AggregateParking(ParkedAggregates parked) {
		this.parked = parked;
	}

	/**
	 * Refuses an event whose aggregate is parked behind another event.
	 * @param route the consumer route
	 * @param envelope the admitted event
	 * @throws PermanentFailureException when the aggregate is parked behind an earlier
	 * event: this one is dead-lettered behind it
	 */
	void admit(ConsumerRoute route, Envelope envelope) {
		if (!route.ordering().park()) {
			return;
		}
		Optional<UUID> behind = this.parked.parkedBehind(route.routeId(), envelope.aggregateType(),
				envelope.aggregateId());
		if (behind.isPresent() && !behind.get().equals(envelope.eventId())) {
			throw new PermanentFailureException("aggregate " + envelope.aggregateType() + "/" + envelope.aggregateId()
					+ " is parked behind dead-lettered event " + behind.get() + " on route " + route.routeId()
					+ ": replay that event first");
		}
	}

	/**
	 * Lets the aggregate go on when the event it is parked behind was handled.
	 * @param route the consumer route
	 * @param envelope the handled event
	 */
	void handled(ConsumerRoute route, Envelope envelope) {
		if (route.ordering().park()) {
			this.parked.release(route.routeId(), envelope.eventId());
		}
	}

	/**
	 * Parks the aggregate of an event a park route dead-lettered (an aggregate parked
	 * already stays behind its first event).
	 * @param route the consumer route
	 * @param eventId the dead-lettered event, null when the message had no id
	 * @param aggregateType its aggregate type header
	 * @param aggregateId its aggregate id header
	 */
	void deadLettered(ConsumerRoute route, String eventId, String aggregateType, String aggregateId) {
		if (!route.ordering().park() || eventId == null || aggregateType == null || aggregateId == null) {
			return;
		}
		UUID id;
		try {
			id = UUID.fromString(eventId);
		}
		catch (IllegalArgumentException ex) {
			return; // not an event the route could have handled
		}
		this.parked.park(route.routeId(), aggregateType, aggregateId, id);
	}

}
