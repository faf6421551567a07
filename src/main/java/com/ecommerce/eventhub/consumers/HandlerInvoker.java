package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.EventVersion;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import com.ecommerce.eventhub.envelope.StorableJson;
import com.ecommerce.eventhub.envelope.UnsupportedVersionError;
import com.ecommerce.eventhub.envelope.Violation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One attempt of a hub consumer: check the message's size, validate the envelope and check the
 * handler supports its version (on the calling thread, in linear time), then run the handler on the
 * route's own bounded attempt pool ({@link ConsumerRoute#attempts()}), limited by the route's attempt
 * timeout.
 *
 * <p>
 * Asynchronous: no Camel thread waits for an attempt. The consumer thread and the error handler's
 * shared redelivery threads hand the attempt over and return at once, so a route whose peer hangs
 * holds only its own attempt threads, and another route's redeliveries run on time. A timed-out
 * attempt is interrupted, its database work has the same timeout, and no connection is held while a
 * handler waits on a remote peer (see {@link EventHandler#transactional()}).
 *
 * <p>
 * The consumer route's dead letter channel is the only retry layer: every exception set here is one
 * failed attempt. A {@link RetryLaterException} sets the wait before the next attempt
 * ({@code CamelRedeliveryDelay}): the peer's {@code Retry-After}, at least the policy's delay, at most
 * the route's {@code maxDelay}.
 */
@Component
class HandlerInvoker implements AsyncProcessor, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(HandlerInvoker.class);

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final EventSchemas schemas;

	private final IdempotencyRepository idempotency;

	private final SideEffectLedger ledger;

	/** A side effect's intent belongs to its attempt for the attempt timeout and this much more. */
	private static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

	private final PlatformTransactionManager transactionManager;

	private final ConsumerRoutes routes;

	private final ConsumerMetrics metrics;

	private final int maxEventBytes;

	/** Fires attempt timeouts; its tasks only interrupt and complete, they never block. */
	private final ScheduledExecutorService timeouts;

	private final CamelContext camel;

	HandlerInvoker(EventSchemas schemas, IdempotencyRepository idempotency, SideEffectLedger ledger,
			PlatformTransactionManager transactionManager, ConsumerRoutes routes, ConsumerMetrics metrics,
			EnvelopeProperties envelope, CamelContext camel) {
		this.schemas = schemas;
		this.idempotency = idempotency;
		this.ledger = ledger;
		this.transactionManager = transactionManager;
		this.routes = routes;
		this.metrics = metrics;
		this.maxEventBytes = envelope.maxBytes();
		this.camel = camel;
		this.timeouts = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "hub-attempt-timeout");
	}

	@Override
	public void process(Exchange exchange) throws Exception {
		AsyncProcessorHelper.process(this, exchange);
	}

	@Override
	public CompletableFuture<Exchange> processAsync(Exchange exchange) {
		CompletableFuture<Exchange> done = new CompletableFuture<>();
		process(exchange, sync -> done.complete(exchange));
		return done;
	}

	@Override
	public boolean process(Exchange exchange, AsyncCallback callback) {
		ConsumerRoute route;
		Envelope envelope;
		try {
			route = this.routes.get(exchange.getFromRouteId());
			AttemptPolicy.startAttempt(exchange);
			envelope = prepare(route, exchange.getMessage().getMandatoryBody(byte[].class));
		}
		catch (Exception ex) {
			exchange.setException(ex);
			callback.done(true);
			return true;
		}
		catch (StackOverflowError ex) {
			// Whatever the message did to the checks, it is dead-lettered, never left unacknowledged.
			exchange.setException(new EnvelopeValidationException("invalid envelope: checking it failed with "
					+ ex.getClass().getSimpleName()));
			callback.done(true);
			return true;
		}
		if (envelope == null) {
			callback.done(true); // a type this handler does not take: acknowledged and skipped
			return true;
		}
		Attempt attempt = new Attempt(route, envelope, exchange, callback, MDC.getCopyOfContextMap());
		try {
			route.attempts().execute(attempt);
		}
		catch (RejectedExecutionException ex) {
			// The route is being removed: the message goes back to its queue with the exchange's failure.
			exchange.setException(ex);
			callback.done(true);
			return true;
		}
		return false;
	}

	/**
	 * Checks what can be checked without the handler.
	 * @return the envelope to handle, or null when the handler does not take its type
	 */
	private Envelope prepare(ConsumerRoute route, byte[] body) throws IOException {
		if (body.length > this.maxEventBytes) {
			throw new EnvelopeValidationException("invalid envelope: the message is " + body.length
					+ " bytes; at most " + this.maxEventBytes + " are accepted (hub.envelope.max-size)");
		}
		JsonNode tree = read(body);
		String eventType = tree.path("eventType").asText(null);
		String eventVersion = tree.path("eventVersion").asText(null);
		Set<Integer> majors = (eventType != null) ? route.handler().supportedMajors(eventType) : null;
		if (majors != null && EventVersion.isValid(eventVersion)
				&& !majors.contains(EventVersion.parse(eventVersion).major())) {
			throw new UnsupportedVersionError(eventType, eventVersion, majors);
		}
		// Numbers and strings first: anyone with broker access can publish 1e-999999999, which a handler
		// formatting money would spend minutes writing out.
		List<Violation> violations = StorableJson.canonicalize(tree, "");
		if (violations.isEmpty()) {
			violations = this.schemas.validate(tree);
		}
		if (!violations.isEmpty()) {
			throw EnvelopeValidationException.of(violations);
		}
		if (majors == null) {
			log.debug("Route {} skips {}: its handler does not take this event type", route.routeId(), eventType);
			return null;
		}
		return this.mapper.treeToValue(tree, Envelope.class);
	}

	private JsonNode read(byte[] body) {
		try {
			return this.mapper.readTree(body);
		}
		catch (IOException ex) {
			throw new EnvelopeValidationException("unreadable envelope: " + ex.getMessage());
		}
	}

	/**
	 * Runs the handler once for the event; false for a duplicate.
	 * @param timedOut whether the attempt's timeout has fired (the handler was interrupted)
	 */
	private boolean handle(ConsumerRoute route, Envelope envelope, BooleanSupplier timedOut) throws Exception {
		EventHandler handler = route.handler();
		return handler.transactional() ? handleInTransaction(route, envelope)
				: handleRemoteEffect(route, envelope, timedOut);
	}

	/** A database-only handler: its work and the record of the eventId commit together or not at all. */
	private boolean handleInTransaction(ConsumerRoute route, Envelope envelope) throws Exception {
		TransactionTemplate transaction = new TransactionTemplate(this.transactionManager);
		transaction.setTimeout((int) Math.max(1, route.attemptTimeout().toSeconds()));
		try {
			return Boolean.TRUE.equals(transaction.execute(status -> {
				if (!this.idempotency.recordFirstTime(route.routeId(), envelope.eventId())) {
					return false;
				}
				try {
					route.handler().handle(envelope);
				}
				catch (RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new HandlerException(ex); // rolls the transaction back, unwrapped below
				}
				return true;
			}));
		}
		catch (HandlerException ex) {
			throw ex.checked();
		}
	}

	/**
	 * A handler that calls a remote peer: intent and outcome go to the side-effect ledger in short
	 * transactions of their own, and no connection is held while the peer answers.
	 */
	private boolean handleRemoteEffect(ConsumerRoute route, Envelope envelope, BooleanSupplier timedOut)
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
			route.handler().handle(envelope);
		}
		catch (Exception ex) {
			// A timed-out attempt may have reached the peer: its intent stays open, and once its lease is
			// over the route's policy decides. Any other failure is known not to have happened.
			if (!timedOut.getAsBoolean()) {
				this.ledger.failed(route.routeId(), envelope.eventId(), ex.getClass().getSimpleName() + ": "
						+ ex.getMessage());
			}
			throw ex;
		}
		this.ledger.succeeded(route.routeId(), envelope.eventId(), null);
		return true;
	}

	@Override
	public void destroy() {
		this.camel.getExecutorServiceManager().shutdownNow(this.timeouts);
	}

	/** One attempt on the route's pool, completed exactly once: by its end or by its timeout. */
	private final class Attempt implements Runnable {

		private final ConsumerRoute route;

		private final Envelope envelope;

		private final Exchange exchange;

		private final AsyncCallback callback;

		private final Map<String, String> mdc;

		private final AtomicBoolean completed = new AtomicBoolean();

		/** The thread running the handler, null before and after; guarded by this. */
		private Thread runner;

		/** Whether the timeout fired while the handler ran; guarded by this. */
		private boolean abandoned;

		Attempt(ConsumerRoute route, Envelope envelope, Exchange exchange, AsyncCallback callback,
				Map<String, String> mdc) {
			this.route = route;
			this.envelope = envelope;
			this.exchange = exchange;
			this.callback = callback;
			this.mdc = mdc;
		}

		@Override
		public void run() {
			synchronized (this) {
				if (this.completed.get()) {
					return;
				}
				this.runner = Thread.currentThread();
			}
			if (this.mdc != null) {
				MDC.setContextMap(this.mdc);
			}
			// The timeout counts from the start of the attempt, not from when it was queued.
			Duration timeout = this.route.attemptTimeout();
			ScheduledFuture<?> timer = HandlerInvoker.this.timeouts.schedule(this::timeOut, timeout.toMillis(),
					TimeUnit.MILLISECONDS);
			try {
				complete(handle(this.route, this.envelope, () -> this.completed.get()), null);
			}
			catch (Throwable ex) { // whatever the handler threw, the exchange must complete, or its message stays unacknowledged
				complete(false, ex);
			}
			finally {
				timer.cancel(false);
				synchronized (this) {
					this.runner = null;
					if (this.abandoned) {
						this.route.attempts().returned();
					}
				}
				Thread.interrupted(); // a late timeout must not leak into the pool's next task
				MDC.clear();
			}
		}

		private void timeOut() {
			synchronized (this) {
				if (this.runner != null) {
					this.runner.interrupt();
					// If the interrupt does not free it (a blocking socket read), the route gets another thread.
					this.abandoned = true;
					this.route.attempts().abandoned();
				}
			}
			// Should the handler still succeed, its eventId is recorded and the next attempt skips it.
			complete(false, new AttemptTimeoutException(this.route.attemptTimeout()));
		}

		private void complete(boolean handled, Throwable failure) {
			if (!this.completed.compareAndSet(false, true)) {
				return;
			}
			String routeId = this.route.routeId();
			if (failure != null) {
				if (failure instanceof BusyException) {
					// Waiting for another delivery of the same event is not an attempt of this one.
					this.exchange.setProperty(AttemptPolicy.ATTEMPTS_MADE, AttemptPolicy.attemptsMade(this.exchange) - 1);
				}
				if (failure instanceof RetryLaterException retryLater && retryLater.retryAfter() != null) {
					this.exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, nextDelay(retryLater.retryAfter()).toMillis());
				}
				this.exchange.setException(failure);
			}
			else if (handled) {
				HandlerInvoker.this.metrics.handled(routeId);
				log.debug("Route {} handled event {}", routeId, this.envelope.eventId());
			}
			else {
				HandlerInvoker.this.metrics.duplicate(routeId);
				log.debug("Route {} skips duplicate event {}", routeId, this.envelope.eventId());
			}
			this.callback.done(false);
		}

		/** The peer's wait, no shorter than the policy's and no longer than the route's maxDelay. */
		private Duration nextDelay(Duration retryAfter) {
			Duration policy = this.route.delayBefore(AttemptPolicy.attemptsMade(this.exchange) + 1);
			Duration wait = (retryAfter.compareTo(policy) > 0) ? retryAfter : policy;
			return (wait.compareTo(this.route.maxDelay()) > 0) ? this.route.maxDelay() : wait;
		}

	}

	/**
	 * Another delivery of the same event holds the side effect's intent right now (a redelivery after a
	 * broker node died, while the first delivery still runs): this one waits until that intent's lease is
	 * over, without counting an attempt.
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
