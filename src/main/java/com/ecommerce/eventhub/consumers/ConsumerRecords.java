package com.ecommerce.eventhub.consumers;

import java.time.Duration;

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

}
