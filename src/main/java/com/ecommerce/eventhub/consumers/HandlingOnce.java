package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a route's handler at most once per event, the way its kind needs. A database-only
 * handler runs in one transaction with the record of the eventId
 * ({@code processed_event}): its work and the record commit together or not at all. A
 * handler that calls a remote peer holds no transaction while the peer answers: its
 * intent and outcome go to the {@link SideEffectLedger} in short transactions of their
 * own.
 */
@Component
class HandlingOnce {

	private static final Logger log = LoggerFactory.getLogger(HandlingOnce.class);

	/**
	 * A side effect's intent belongs to its attempt for the attempt timeout and this much
	 * more.
	 */
	static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

	private final IdempotencyRepository idempotency;

	private final SideEffectLedger ledger;

	private final PlatformTransactionManager transactionManager;

	HandlingOnce(IdempotencyRepository idempotency, SideEffectLedger ledger,
			PlatformTransactionManager transactionManager) {
		this.idempotency = idempotency;
		this.ledger = ledger;
		this.transactionManager = transactionManager;
	}

	/**
	 * Runs the handler once for the event.
	 * @param route the consumer route
	 * @param envelope the admitted event
	 * @param body its message body
	 * @param timedOut whether the attempt's timeout has fired (the handler was
	 * interrupted)
	 * @return false for a duplicate (nothing done)
	 * @throws Exception what the handler threw
	 */
	boolean handle(ConsumerRoute route, Envelope envelope, byte[] body, BooleanSupplier timedOut) throws Exception {
		return route.handler().transactional() ? inTransaction(route, envelope, body)
				: remoteEffect(route, envelope, body, timedOut);
	}

	private boolean inTransaction(ConsumerRoute route, Envelope envelope, byte[] body) throws Exception {
		TransactionTemplate transaction = new TransactionTemplate(this.transactionManager);
		transaction.setTimeout((int) Math.max(1, route.attemptTimeout().toSeconds()));
		try {
			return Boolean.TRUE.equals(transaction.execute(status -> {
				if (!this.idempotency.recordFirstTime(route.routeId(), envelope.eventId())) {
					return false;
				}
				try {
					route.handler().handle(envelope, body);
				}
				catch (RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new HandlerException(ex); // rolls the transaction back,
													// unwrapped below
				}
				return true;
			}));
		}
		catch (HandlerException ex) {
			throw ex.checked();
		}
	}

	private boolean remoteEffect(ConsumerRoute route, Envelope envelope, byte[] body, BooleanSupplier timedOut)
			throws Exception {
		SideEffectLedger.Intent intent = this.ledger.begin(route.routeId(), envelope.eventId(),
				route.attemptTimeout().plus(LEASE_MARGIN), route.repeatAmbiguous());
		switch (intent.kind()) {
			case DONE:
				return false;
			case BUSY:
				throw new BusyException(intent.leaseLeft());
			case AMBIGUOUS:
				if (!route.repeatAmbiguous()) {
					throw new PermanentFailureException("an earlier attempt of this side effect ended without an "
							+ "outcome and route " + route.routeId() + " is at-most-once: not repeated; check the "
							+ "peer, then replay or discard");
				}
				log.warn("Route {} repeats the side effect of event {}: an earlier attempt ended without an outcome "
						+ "(at-least-once)", route.routeId(), envelope.eventId());
				break;
			default:
				break;
		}
		try {
			route.handler().handle(envelope, body);
		}
		catch (Exception ex) {
			// A timed-out attempt may have reached the peer: its intent stays open, and
			// once its lease is
			// over the route's policy decides. Any other failure is known not to have
			// happened.
			if (!timedOut.getAsBoolean()) {
				this.ledger.failed(route.routeId(), envelope.eventId(),
						ex.getClass().getSimpleName() + ": " + ex.getMessage());
			}
			throw ex;
		}
		this.ledger.succeeded(route.routeId(), envelope.eventId(), null);
		return true;
	}

	/**
	 * Another delivery of the same event holds the side effect's intent right now (a
	 * redelivery after a broker node died, while the first delivery still runs): this one
	 * waits until that intent's lease is over, without counting an attempt.
	 */
	static final class BusyException extends RetryLaterException {

		BusyException(Duration wait) {
			super("another delivery of this event is being handled; waiting " + wait.toMillis() + " ms", wait, null);
		}

	}

	/** Carries a handler's checked exception through the transaction callback. */
	private static final class HandlerException extends RuntimeException {

		private HandlerException(Exception cause) {
			super(cause);
		}

		private Exception checked() {
			return (Exception) getCause();
		}

	}

}
