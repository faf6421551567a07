package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.Collection;
import java.util.UUID;

import org.springframework.stereotype.Component;

/**
 * What consumers remember of the events they handled (idempotency keys and the
 * side-effect ledger), as retention sees it.
 */
@Component
public class ConsumerRecords {

	private final IdempotencyRepository idempotency;

	private final SideEffectLedger ledger;

	ConsumerRecords(IdempotencyRepository idempotency, SideEffectLedger ledger) {
		this.idempotency = idempotency;
		this.ledger = ledger;
	}

	/**
	 * Deletes at most {@code limit} idempotency keys and {@code limit} side-effect
	 * records older than {@code age}, each in a statement of its own.
	 * @param age how old a record must be
	 * @param limit rows per statement
	 * @return rows deleted
	 */
	public int deleteOlderThan(Duration age, int limit) {
		return this.idempotency.deleteOlderThan(age, limit) + this.ledger.deleteOlderThan(age, limit);
	}

	/**
	 * Makes a consumer route handle these events again when they arrive: deletes its
	 * idempotency keys and finished side-effect records of them (a side effect in flight
	 * keeps its record). For an operator's replay that bypasses idempotency on purpose (a
	 * consumer that lost its own state); the consumer's processing itself is unchanged,
	 * so a duplicate after the replay is skipped as usual.
	 * @param routeId the consumer route id
	 * @param eventIds the events
	 * @return records deleted
	 */
	public int forget(String routeId, Collection<UUID> eventIds) {
		if (eventIds.isEmpty()) {
			return 0;
		}
		return this.idempotency.forget(routeId, eventIds) + this.ledger.forget(routeId, eventIds);
	}

}
