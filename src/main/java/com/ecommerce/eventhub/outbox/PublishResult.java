package com.ecommerce.eventhub.outbox;

/**
 * What became of one row's message after a batch publish.
 *
 * @param rowId the outbox row
 * @param confirmed true when the broker confirmed it and routed it to at least one queue
 * @param error why it did not, null when confirmed
 */
record PublishResult(long rowId, boolean confirmed, String error) {

	static PublishResult confirmed(long rowId) {
		return new PublishResult(rowId, true, null);
	}

	static PublishResult failed(long rowId, String error) {
		return new PublishResult(rowId, false, error);
	}

}
