package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.topology.EventLag;
import com.ecommerce.eventhub.tracing.EventTracing;
import com.ecommerce.eventhub.tracing.EventTracing.EventIdentity;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
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

/**
 * One attempt of a hub consumer: the {@link MessageGuard} admits the message (on the
 * calling thread, in linear time), then the attempt runs on the route's own bounded
 * {@link AttemptPool}, limited by the route's attempt timeout, through
 * {@link HandlingOnce}.
 *
 * <p>
 * Asynchronous: no Camel thread waits for an attempt. The consumer thread and the error
 * handler's shared redelivery threads hand the attempt over and return at once, so a
 * route whose peer hangs holds only its own attempt threads, and another route's
 * redeliveries run on time. A timed-out attempt is interrupted, its database work has the
 * same timeout, and no connection is held while a handler waits on a peer.
 *
 * <p>
 * The consumer route's dead letter channel is the only retry layer: every exception set
 * here is one failed attempt. A {@link RetryLaterException} sets the wait before the next
 * attempt ({@code CamelRedeliveryDelay}): the peer's {@code Retry-After}, at least the
 * policy's delay, at most the route's {@code maxDelay}.
 *
 * <p>
 * An attempt takes the route's circuit breaker's leave ({@link PeerBreaker}) right before
 * its handler runs, on the attempt thread. While the breaker is open the attempt waits
 * without running or counting; the handler learns its attempt's number and whether it is
 * the last from {@link CurrentAttempt}. Only failures while the breaker was closed are
 * attempts: a probe that finds the peer still down is taken back
 * ({@link AttemptPolicy#uncount}), and its message waits for the next probe.
 */
@Component
class HandlerInvoker implements AsyncProcessor, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(HandlerInvoker.class);

	private final ConsumerRoutes routes;

	private final MessageGuard guard;

	private final HandlingOnce once;

	private final ConsumerMetrics metrics;

	/**
	 * Fires attempt timeouts; its tasks only interrupt and complete, they never block.
	 */
	private final ScheduledExecutorService timeouts;

	private final CamelContext camel;

	private final EventTracing tracing;

	private final AggregateParking parking;

	HandlerInvoker(ConsumerRoutes routes, MessageGuard guard, HandlingOnce once, ConsumerMetrics metrics,
			CamelContext camel, EventTracing tracing, AggregateParking parking) {
		this.parking = parking;
		this.tracing = tracing;
		this.routes = routes;
		this.guard = guard;
		this.once = once;
		this.metrics = metrics;
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
		byte[] body;
		try {
			route = this.routes.get(exchange.getFromRouteId());
			AttemptPolicy.startAttempt(exchange);
			body = exchange.getMessage().getMandatoryBody(byte[].class);
			envelope = this.guard.admit(route, body);
			if (envelope != null) {
				this.parking.admit(route, envelope);
			}
		}
		catch (Exception ex) {
			exchange.setException(ex);
			callback.done(true);
			return true;
		}
		catch (StackOverflowError ex) {
			// Whatever the message did to the checks, it is dead-lettered, never left
			// unacknowledged.
			exchange.setException(new EnvelopeValidationException(
					"invalid envelope: checking it failed with " + ex.getClass().getSimpleName()));
			callback.done(true);
			return true;
		}
		if (envelope == null) {
			callback.done(true); // a type this handler does not take: acknowledged and
									// skipped
			return true;
		}
		Instant publishedAt = EventLag.publishedAt(exchange.getMessage().getHeader(EventLag.PUBLISHED_AT_HEADER));
		// A redelivery comes here on the error handler's thread, whose MDC is another
		// exchange's or none: the attempt gets the MDC the exchange had the first time.
		Map<String, String> logContext = EventLogContext.of(exchange);
		Attempt attempt = new Attempt(route, envelope, body, publishedAt,
				EventTracing.valid(exchange.getMessage().getHeader(EventTracing.TRACEPARENT)), exchange, callback,
				logContext);
		try {
			route.attempts().execute(attempt);
		}
		catch (RejectedExecutionException ex) {
			// The route is being removed: the message goes back to its queue with the
			// exchange's failure.
			exchange.setException(ex);
			callback.done(true);
			return true;
		}
		// The exchange goes on on the attempt thread; Camel would clear only its own keys
		// here, and on a redelivery thread none.
		EventLogContext.leave(logContext);
		return false;
	}

	@Override
	public void destroy() {
		this.camel.getExecutorServiceManager().shutdownNow(this.timeouts);
	}

	/**
	 * One attempt on the route's pool, completed exactly once: by its end or by its
	 * timeout.
	 */
	private final class Attempt implements Runnable {

		private final ConsumerRoute route;

		private final Envelope envelope;

		private final byte[] body;

		/** When the relay published the event, null when the message does not say. */
		private final Instant publishedAt;

		/** The trace the message continues, null when it carries none. */
		private final String traceparent;

		private final Exchange exchange;

		private final AsyncCallback callback;

		/** The exchange's MDC, kept by {@link EventLogContext}. */
		private final Map<String, String> mdc;

		private final AtomicBoolean completed = new AtomicBoolean();

		/** The thread running the handler, null before and after; guarded by this. */
		private Thread runner;

		/** Whether the timeout fired while the handler ran; guarded by this. */
		private boolean abandoned;

		/**
		 * The route's circuit breaker's leave to call the peer, taken before the handler
		 * runs; null when the route has no breaker.
		 */
		private volatile PeerBreaker.Permit permit;

		/**
		 * A transient failure of the peer the handler dealt with itself
		 * ({@link CurrentAttempt#peerFailed}), or null; set before completing.
		 */
		private volatile Throwable peerFailure;

		Attempt(ConsumerRoute route, Envelope envelope, byte[] body, Instant publishedAt, String traceparent,
				Exchange exchange, AsyncCallback callback, Map<String, String> mdc) {
			this.route = route;
			this.envelope = envelope;
			this.body = body;
			this.publishedAt = publishedAt;
			this.traceparent = traceparent;
			this.exchange = exchange;
			this.callback = callback;
			this.mdc = mdc;
		}

		@Override
		public void run() {
			if (this.completed.get() || !enterBreaker()) {
				return;
			}
			synchronized (this) {
				this.runner = Thread.currentThread();
			}
			MDC.setContextMap(this.mdc);
			// The timeout counts from the start of the attempt, not from when it was
			// queued.
			ScheduledFuture<?> timer = HandlerInvoker.this.timeouts.schedule(this::timeOut,
					this.route.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS);
			// The attempt's span is in scope while the handler runs: its SMTP send or
			// webhook call and the events it writes continue the trace.
			Span span = startSpan();
			CurrentAttempt current = CurrentAttempt.enter(AttemptPolicy.attemptsMade(this.exchange), isLast());
			try (Tracer.SpanInScope scope = HandlerInvoker.this.tracing.inScope(span)) {
				boolean handled = HandlerInvoker.this.once.handle(this.route, this.envelope, this.body,
						this.completed::get);
				this.peerFailure = current.peerFailure();
				restoreLogContext();
				complete(handled, null);
			}
			catch (Throwable ex) { // whatever the handler threw, the exchange must
									// complete, or its message stays unacknowledged
				this.peerFailure = current.peerFailure();
				span.error(ex);
				restoreLogContext();
				complete(false, ex);
			}
			finally {
				CurrentAttempt.exit();
				span.end();
				timer.cancel(false);
				synchronized (this) {
					this.runner = null;
					if (this.abandoned) {
						this.route.attempts().returned();
					}
				}
				Thread.interrupted(); // a late timeout must not leak into the pool's next
										// task
				MDC.clear();
			}
		}

		/**
		 * Puts the exchange's MDC back before Camel goes on with it here: an exchange the
		 * handler sent (a YAML route's target) cleared this thread's MDC when it was
		 * done, and Camel restored only its own keys.
		 */
		private void restoreLogContext() {
			this.mdc.forEach(MDC::put);
		}

		/**
		 * Takes the route's circuit breaker's leave to call the peer. While the breaker
		 * is open the attempt does not run: it waits (its message unacknowledged, holding
		 * no thread and counting no attempt) until the breaker may let it through, then
		 * runs again.
		 * @return whether the attempt may run now
		 */
		private boolean enterBreaker() {
			PeerBreaker breaker = HandlerInvoker.this.routes.breakerOf(this.route.routeId());
			if (breaker == null) {
				return true;
			}
			this.permit = breaker.tryEnter();
			if (this.permit != null) {
				return true;
			}
			log.debug("Route {}: event {} waits for the circuit breaker", this.route.routeId(),
					this.envelope.eventId());
			breaker.await(this::resume, HandlerInvoker.this.timeouts);
			return false;
		}

		/** Runs the attempt again after it waited for the circuit breaker. */
		private void resume() {
			try {
				this.route.attempts().execute(this);
			}
			catch (RejectedExecutionException ex) {
				// The route is being removed: the message goes back to its queue with the
				// exchange's failure.
				onTimeoutThread(() -> complete(false, ex));
			}
		}

		/**
		 * Completes the exchange from the timeout thread, with the exchange's MDC: Camel
		 * logs its failure and goes on routing it here.
		 */
		private void onTimeoutThread(Runnable completion) {
			MDC.setContextMap(this.mdc);
			try {
				completion.run();
			}
			finally {
				MDC.clear();
			}
		}

		/**
		 * Whether no attempt follows if this one fails: the route's last, and not a probe
		 * (whose failure is no attempt).
		 */
		private boolean isLast() {
			PeerBreaker.Permit leave = this.permit;
			return AttemptPolicy.attemptsMade(this.exchange) >= this.route.maximumAttempts()
					&& (leave == null || !leave.probe());
		}

		/**
		 * Tells the route's circuit breaker what the attempt came to.
		 * @return whether the attempt probed a peer the breaker had found down and found
		 * it still down
		 */
		private boolean recordOutcome(boolean handled, Throwable failure) {
			PeerBreaker.Permit leave = this.permit;
			if (leave == null) {
				return false;
			}
			if (this.peerFailure != null) {
				// The handler dealt with the peer's failure itself (and may still have
				// thrown, e.g. to dead-letter after its last durable retry).
				leave.finishPeerDown(this.peerFailure);
			}
			else if (failure != null) {
				return leave.finish(failure) && leave.probe();
			}
			else if (handled) {
				leave.finish(null);
			}
			else {
				leave.release(); // a duplicate: the peer was not called
			}
			return false;
		}

		private Span startSpan() {
			String routeId = this.route.routeId();
			Span span = HandlerInvoker.this.tracing.start("attempt " + routeId, Span.Kind.CONSUMER, this.traceparent,
					new EventIdentity(this.envelope.eventId().toString(), this.envelope.eventType(),
							this.envelope.correlationId()));
			return span.tag("route", routeId).tag("attempt", AttemptPolicy.attemptsMade(this.exchange));
		}

		private void timeOut() {
			// The attempt is completed as timed out before its thread is interrupted:
			// the handler's own failure from the interrupt (an InterruptedException)
			// must not complete it first, as an attempt that failed otherwise.
			if (!this.completed.compareAndSet(false, true)) {
				return;
			}
			synchronized (this) {
				if (this.runner != null) {
					this.runner.interrupt();
					// If the interrupt does not free it (a blocking socket read), the
					// route gets another thread.
					this.abandoned = true;
					this.route.attempts().abandoned();
				}
			}
			// Should the handler still succeed, its success is recorded and the next
			// attempt skips it.
			onTimeoutThread(() -> finish(false, new AttemptTimeoutException(this.route.attemptTimeout())));
		}

		private void complete(boolean handled, Throwable failure) {
			if (this.completed.compareAndSet(false, true)) {
				finish(handled, failure);
			}
		}

		private void finish(boolean handled, Throwable failure) {
			String routeId = this.route.routeId();
			boolean probeFoundPeerDown = recordOutcome(handled, failure);
			if (failure != null) {
				if (failure instanceof HandlingOnce.BusyException || probeFoundPeerDown) {
					// Waiting for another delivery of the same event is not an attempt of
					// this one; nor is probing a peer the breaker found down, still down.
					AttemptPolicy.uncount(this.exchange);
				}
				if (failure instanceof RetryLaterException retryLater && retryLater.retryAfter() != null) {
					this.exchange.getIn()
						.setHeader(Exchange.REDELIVERY_DELAY, nextDelay(retryLater.retryAfter()).toMillis());
				}
				this.exchange.setException(failure);
			}
			else if (handled) {
				HandlerInvoker.this.metrics.handled(routeId, this.envelope.eventType(), this.publishedAt);
				log.debug("Route {} handled event {}", routeId, this.envelope.eventId());
			}
			else {
				HandlerInvoker.this.metrics.duplicate(routeId);
				log.debug("Route {} skips duplicate event {}", routeId, this.envelope.eventId());
			}
			if (failure == null) {
				release();
			}
			this.callback.done(false);
		}

		/** A parked aggregate goes on once the event it waited behind is handled. */
		private void release() {
			try {
				HandlerInvoker.this.parking.handled(this.route, this.envelope);
			}
			catch (RuntimeException ex) {
				log.warn("Route {} handled event {}, but its aggregate stays parked: {}", this.route.routeId(),
						this.envelope.eventId(), ex.getMessage());
			}
		}

		/**
		 * The peer's wait, no shorter than the policy's and no longer than the route's
		 * maxDelay.
		 */
		private Duration nextDelay(Duration retryAfter) {
			Duration policy = this.route.delayBefore(AttemptPolicy.attemptsMade(this.exchange) + 1);
			Duration wait = (retryAfter.compareTo(policy) > 0) ? retryAfter : policy;
			return (wait.compareTo(this.route.maxDelay()) > 0) ? this.route.maxDelay() : wait;
		}

	}

}
