package com.ecommerce.eventhub.consumers;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The aggregates that ordered routes with {@code afterDeadLetter: park} stopped (table
 * {@code parked_aggregate}): an aggregate is parked behind the event that was
 * dead-lettered, its later events are dead-lettered behind it, and it goes on when that
 * event is replayed and handled. Each statement runs on its own, outside the handler's
 * transaction.
 */
@Repository
class ParkedAggregates {

	private final JdbcTemplate jdbc;

	ParkedAggregates(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Parks an aggregate behind an event; an aggregate parked already keeps its first
	 * event.
	 * @param consumer the route id
	 * @param aggregateType the aggregate's type
	 * @param aggregateId the aggregate's id
	 * @param eventId the dead-lettered event
	 */
	void park(String consumer, String aggregateType, String aggregateId, UUID eventId) {
		this.jdbc.update("""
				INSERT INTO parked_aggregate (consumer, aggregate_type, aggregate_id, event_id)
				VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING""", consumer, aggregateType, aggregateId, eventId);
	}

	/**
	 * @param consumer the route id
	 * @param aggregateType the aggregate's type
	 * @param aggregateId the aggregate's id
	 * @return the event the aggregate is parked behind, empty when it is not parked
	 */
	Optional<UUID> parkedBehind(String consumer, String aggregateType, String aggregateId) {
		List<UUID> events = this.jdbc.queryForList("""
				SELECT event_id FROM parked_aggregate
				WHERE consumer = ? AND aggregate_type = ? AND aggregate_id = ?""", UUID.class, consumer, aggregateType,
				aggregateId);
		return events.stream().findFirst();
	}

	/**
	 * Lets an aggregate go on once the event it was parked behind is handled.
	 * @param consumer the route id
	 * @param eventId the handled event
	 * @return whether an aggregate was parked behind it
	 */
	boolean release(String consumer, UUID eventId) {
		return this.jdbc.update("DELETE FROM parked_aggregate WHERE consumer = ? AND event_id = ?", consumer,
				eventId) > 0;
	}

}
