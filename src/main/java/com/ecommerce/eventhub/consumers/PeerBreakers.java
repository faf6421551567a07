package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.envelope.PermanentFailureException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The consumer routes' circuit breakers (Resilience4j), one per route whose
 * {@code breakerFailures} is above 0, created or replaced when the route is registered
 * and removed with it ({@link ConsumerRoutes}). Their state is on /actuator/prometheus
 * ({@code resilience4j_circuitbreaker_state{name=<route>, state}}, {@code _failure_rate},
 * {@code _calls_seconds}, {@code _not_permitted_calls_total}) and, for people, in the
 * health component {@code breakers}.
 *
 * <p>
 * A breaker opens after {@code breakerFailures} attempts in a row found the peer down
 * ({@link #classify}: a count-based window of that many calls, all failed). While open
 * the route attempts nothing: its messages wait ({@link PeerBreaker}). After
 * {@code breakerProbeInterval} it goes half-open by itself and lets one attempt probe the
 * peer: a success closes it, a failure opens it again.
 */
@Component
public class PeerBreakers {

	private static final Logger log = LoggerFactory.getLogger(PeerBreakers.class);

	/** Longest cause chain {@link #classify} follows. */
	private static final int MAX_CAUSES = 20;

	private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

	private final Map<String, PeerBreaker> breakers = new ConcurrentHashMap<>();

	PeerBreakers(MeterRegistry meters) {
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(this.registry).bindTo(meters);
	}

	/**
	 * Creates the breaker of a route, or replaces the one it had (with fresh state: the
	 * route was created again). Attempts waiting for a replaced breaker are resumed.
	 * @param routeId the consumer route
	 * @param settings its breaker settings
	 * @return the new breaker, null when the route has none ({@code breakerFailures=0})
	 */
	PeerBreaker register(String routeId, ConsumerRoute.Breaker settings) {
		remove(routeId);
		if (settings.failures() <= 0) {
			return null;
		}
		CircuitBreaker breaker = this.registry.circuitBreaker(routeId, config(settings));
		PeerBreaker peer = new PeerBreaker(breaker, settings.probeInterval());
		breaker.getEventPublisher().onStateTransition(event -> logTransition(routeId, event.getStateTransition()));
		this.breakers.put(routeId, peer);
		return peer;
	}

	private static void logTransition(String routeId, CircuitBreaker.StateTransition transition) {
		if (transition == CircuitBreaker.StateTransition.CLOSED_TO_OPEN) {
			log.warn("Circuit breaker of route {} opened: its peer is down; its messages wait for it", routeId);
		}
		else if (transition == CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN) {
			log.info("Circuit breaker of route {}: the probe found the peer still down", routeId);
		}
		else if (transition.getToState() == CircuitBreaker.State.CLOSED) {
			log.info("Circuit breaker of route {} closed: its peer answers again", routeId);
		}
		else {
			log.debug("Circuit breaker of route {}: {}", routeId, transition);
		}
	}

	/**
	 * The Resilience4j settings of a route's breaker.
	 * @param settings the route's {@code breakerFailures} and
	 * {@code breakerProbeInterval}
	 * @return the configuration
	 */
	static CircuitBreakerConfig config(ConsumerRoute.Breaker settings) {
		return CircuitBreakerConfig.custom()
			.slidingWindowType(SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(settings.failures())
			.minimumNumberOfCalls(settings.failures())
			.failureRateThreshold(100)
			// Slow answers are the attempt timeout's business (a timeout is a failure).
			.slowCallRateThreshold(100)
			.slowCallDurationThreshold(Duration.ofDays(1))
			.permittedNumberOfCallsInHalfOpenState(1)
			.waitDurationInOpenState(settings.probeInterval())
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.recordException(failure -> classify(failure) == Verdict.PEER_DOWN)
			.ignoreException(failure -> classify(failure) == Verdict.NOT_THE_PEER)
			.writableStackTraceEnabled(false)
			.build();
	}

	/**
	 * @param routeId a consumer route
	 * @return its breaker, null when it has none
	 */
	PeerBreaker get(String routeId) {
		return this.breakers.get(routeId);
	}

	/**
	 * Removes a route's breaker (and its meters); attempts waiting for it are resumed.
	 * @param routeId the consumer route
	 */
	void remove(String routeId) {
		PeerBreaker removed = this.breakers.remove(routeId);
		this.registry.remove(routeId);
		if (removed != null) {
			removed.releaseAll();
		}
	}

	/**
	 * The breakers now, by route id.
	 * @return one view per route that has a breaker
	 */
	public List<BreakerState> states() {
		return this.breakers.entrySet().stream().map(entry -> {
			CircuitBreaker breaker = entry.getValue().breaker();
			CircuitBreaker.Metrics metrics = breaker.getMetrics();
			return new BreakerState(entry.getKey(), breaker.getState().name(), metrics.getFailureRate(),
					metrics.getNumberOfBufferedCalls(), metrics.getNumberOfFailedCalls(),
					breaker.getCircuitBreakerConfig().getMinimumNumberOfCalls(), entry.getValue().probeInterval(),
					entry.getValue().waiting());
		}).sorted(Comparator.comparing(BreakerState::route)).toList();
	}

	/**
	 * What a failed attempt says about the route's peer. It is down
	 * ({@link Verdict#PEER_DOWN}) when the attempt threw a {@link RetryLaterException}
	 * (HTTP 408, 425, 429, 5xx; SMTP unavailable), timed out
	 * ({@link AttemptTimeoutException}), or failed with an I/O error or a timeout
	 * anywhere in its causes (connection refused or reset, a database the route needs
	 * unreachable). It answered ({@link Verdict#PEER_ANSWERED}, a success for the
	 * breaker) when the failure is permanent ({@link PermanentFailureException}: HTTP
	 * 4xx, SMTP 5xx, an invalid address or event). Anything else, and waiting for another
	 * delivery of the same event, says nothing about the peer
	 * ({@link Verdict#NOT_THE_PEER}: not counted). The outermost failure that is one of
	 * these decides.
	 * @param failure what an attempt threw, null for a success
	 * @return the verdict
	 */
	static Verdict classify(Throwable failure) {
		if (failure == null) {
			return Verdict.PEER_ANSWERED;
		}
		Throwable cause = failure;
		for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++) {
			if (cause instanceof HandlingOnce.BusyException) {
				return Verdict.NOT_THE_PEER;
			}
			if (cause instanceof PermanentFailureException) {
				return Verdict.PEER_ANSWERED;
			}
			if (cause instanceof RetryLaterException || cause instanceof AttemptTimeoutException
					|| cause instanceof PeerDownException || cause instanceof IOException
					|| cause instanceof TimeoutException) {
				return Verdict.PEER_DOWN;
			}
			cause = (cause.getCause() != cause) ? cause.getCause() : null;
		}
		return Verdict.NOT_THE_PEER;
	}

	/** What a failure says about the peer, for the breaker. */
	enum Verdict {

		/** The peer is down or overloaded: a failure for the breaker. */
		PEER_DOWN,

		/** The peer answered, if only to refuse: a success for the breaker. */
		PEER_ANSWERED,

		/** Nothing about the peer: neither, the breaker ignores it. */
		NOT_THE_PEER

	}

	/**
	 * A transient failure of the peer that the handler dealt with itself
	 * ({@link CurrentAttempt#peerFailed}).
	 */
	static final class PeerDownException extends RuntimeException {

		PeerDownException(Throwable cause) {
			super("the peer failed: " + cause.getMessage(), cause, false, false);
		}

	}

	/**
	 * A route's breaker as the health component shows it.
	 *
	 * @param route the consumer route id
	 * @param state {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
	 * @param failureRate failed calls among the last {@code failures}, in percent; -1
	 * until that many calls were made
	 * @param bufferedCalls calls in the window
	 * @param failedCalls failed calls in the window
	 * @param failures failures in a row that open it ({@code breakerFailures})
	 * @param probeInterval how long it stays open before a probe
	 * ({@code breakerProbeInterval})
	 * @param waiting attempts waiting for it now
	 */
	public record BreakerState(String route, String state, float failureRate, int bufferedCalls, int failedCalls,
			int failures, Duration probeInterval, int waiting) {

		/**
		 * Whether the breaker is open: it found the peer down and lets no attempt through
		 * until a probe finds it back. (Half-open, it waits for the next attempt to
		 * probe; a route without traffic stays so.)
		 */
		public boolean open() {
			return "OPEN".equals(this.state) || "FORCED_OPEN".equals(this.state);
		}

	}

}
