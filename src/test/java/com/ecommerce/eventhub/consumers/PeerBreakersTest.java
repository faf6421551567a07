package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.consumers.PeerBreakers.BreakerState;
import com.ecommerce.eventhub.consumers.PeerBreakers.Verdict;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A route's circuit breaker: which failures say its peer is down, and how it opens, lets
 * one probe through, closes again and resumes the attempts that waited.
 */
class PeerBreakersTest {

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private final PeerBreakers breakers = new PeerBreakers(this.meters);

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stopTimer() {
		this.timer.shutdownNow();
	}

	@Test
	void aPeerThatIsDownOrOverloadedFails() {
		for (Throwable down : new Throwable[] { new RetryLaterException("target answered HTTP 503", null, null),
				new RetryLaterException("target answered HTTP 429", Duration.ofSeconds(2), null),
				new AttemptTimeoutException(Duration.ofSeconds(30)), new ConnectException("Connection refused"),
				new SocketTimeoutException("Read timed out"), new TimeoutException("no answer"),
				new CamelExecutionException("smtp", null, new ConnectException("Connection refused")),
				new UncheckedIOException(new IOException("Connection reset")),
				new IllegalStateException("wrapped", new RetryLaterException("HTTP 502", null, null)),
				new PeerBreakers.PeerDownException(new IllegalStateException("SMTP unavailable")) }) {
			assertThat(PeerBreakers.classify(down)).as(down.toString()).isEqualTo(Verdict.PEER_DOWN);
		}
	}

	@Test
	void aPeerThatAnswersEvenToRefuseSucceeds() {
		for (Throwable answered : new Throwable[] { null, new PermanentFailureException("target answered HTTP 404"),
				new PermanentFailureException("e-mail refused: SMTP 550", new IOException("the answer")),
				new EnvelopeValidationException("invalid envelope") }) {
			assertThat(PeerBreakers.classify(answered)).as(String.valueOf(answered)).isEqualTo(Verdict.PEER_ANSWERED);
		}
	}

	@Test
	void otherFailuresAndWaitingForAnotherDeliverySayNothingAboutThePeer() {
		for (Throwable other : new Throwable[] { new IllegalStateException("a bug"), new NullPointerException(),
				new HandlingOnce.BusyException(Duration.ofSeconds(3)) }) {
			assertThat(PeerBreakers.classify(other)).as(other.toString()).isEqualTo(Verdict.NOT_THE_PEER);
		}
	}

	@Test
	void opensAfterTheConfiguredFailuresInARowOnly() {
		PeerBreaker breaker = this.breakers.register("r", new ConsumerRoute.Breaker(3, Duration.ofMinutes(1)));
		fail(breaker, new RetryLaterException("HTTP 503", null, null));
		fail(breaker, new ConnectException("refused"));
		breaker.tryEnter().finish(new PermanentFailureException("HTTP 404")); // the peer
																				// answers
		fail(breaker, new AttemptTimeoutException(Duration.ofSeconds(1)));
		fail(breaker, new RetryLaterException("HTTP 503", null, null));
		// A failure that says nothing about the peer neither breaks nor extends the run.
		fail(breaker, new IllegalStateException("a bug"));
		assertThat(breaker.breaker().getState()).isEqualTo(State.CLOSED);
		fail(breaker, new RetryLaterException("HTTP 503", null, null));

		assertThat(breaker.breaker().getState()).isEqualTo(State.OPEN);
		assertThat(breaker.tryEnter()).as("no attempt while open").isNull();
		assertThat(
				this.meters.get("resilience4j.circuitbreaker.state").tags("name", "r", "state", "open").gauge().value())
			.isEqualTo(1);
		assertThat(this.breakers.states()).singleElement().satisfies(state -> {
			assertThat(state.state()).isEqualTo("OPEN");
			assertThat(state.open()).isTrue();
			assertThat(state.failureRate()).isEqualTo(100f);
			assertThat(state.failures()).isEqualTo(3);
		});
	}

	@Test
	void afterTheProbeIntervalOneWaitingAttemptProbesAndItsSuccessResumesTheOthers() {
		PeerBreaker breaker = this.breakers.register("r", new ConsumerRoute.Breaker(2, Duration.ofMillis(300)));
		fail(breaker, new ConnectException("refused"));
		fail(breaker, new ConnectException("refused"));
		List<String> resumed = new CopyOnWriteArrayList<>();
		for (String attempt : List.of("first", "second", "third")) {
			assertThat(breaker.tryEnter()).isNull();
			breaker.await(() -> resumed.add(attempt), this.timer);
		}
		assertThat(breaker.waiting()).isEqualTo(3);

		// Half-open by itself: the oldest waiting attempt is resumed to probe.
		await().atMost(Duration.ofSeconds(5)).until(() -> !resumed.isEmpty());
		assertThat(resumed).containsExactly("first");
		assertThat(breaker.breaker().getState()).isEqualTo(State.HALF_OPEN);
		PeerBreaker.Permit probe = breaker.tryEnter();
		assertThat(probe).isNotNull();
		assertThat(probe.probe()).isTrue();
		assertThat(breaker.tryEnter()).as("one probe at a time").isNull();

		// The probe finds the peer still down: open again, its failure is no attempt.
		assertThat(probe.finish(new ConnectException("refused"))).as("the peer is down").isTrue();
		assertThat(breaker.breaker().getState()).isEqualTo(State.OPEN);
		breaker.await(() -> resumed.add("first again"), this.timer);

		// The next probe succeeds: closed, and everything that waited is resumed at once.
		await().atMost(Duration.ofSeconds(5)).until(() -> breaker.breaker().getState() == State.HALF_OPEN);
		PeerBreaker.Permit second = breaker.tryEnter();
		assertThat(second.probe()).isTrue();
		second.finish(null);
		assertThat(breaker.breaker().getState()).isEqualTo(State.CLOSED);
		assertThat(resumed).containsExactlyInAnyOrder("first", "second", "third", "first again");
		assertThat(breaker.waiting()).isZero();
		PeerBreaker.Permit closed = breaker.tryEnter();
		assertThat(closed.probe()).isFalse();
		assertThat(closed.finish(new ConnectException("refused"))).isTrue();
	}

	@Test
	void aProbeThatDidNotReachThePeerHandsItsTurnToTheNextWaitingAttempt() {
		PeerBreaker breaker = this.breakers.register("r", new ConsumerRoute.Breaker(1, Duration.ofMillis(200)));
		fail(breaker, new ConnectException("refused"));
		List<String> resumed = new CopyOnWriteArrayList<>();
		breaker.await(() -> resumed.add("first"), this.timer);
		breaker.await(() -> resumed.add("second"), this.timer);
		await().atMost(Duration.ofSeconds(5)).until(() -> breaker.breaker().getState() == State.HALF_OPEN);
		PeerBreaker.Permit duplicate = breaker.tryEnter();
		duplicate.release();
		await().atMost(Duration.ofSeconds(1)).until(() -> resumed.size() == 2);
		assertThat(resumed).containsExactlyInAnyOrder("first", "second");
		assertThat(breaker.breaker().getState()).isEqualTo(State.HALF_OPEN);
		assertThat(breaker.tryEnter()).as("the permit came back").isNotNull();
	}

	@Test
	void aWaitingAttemptLooksAgainOnItsOwn() {
		PeerBreaker breaker = this.breakers.register("r", new ConsumerRoute.Breaker(1, Duration.ofMillis(200)));
		breaker.breaker().transitionToForcedOpenState(); // no transitions by itself
		List<String> resumed = new CopyOnWriteArrayList<>();
		breaker.await(() -> resumed.add("waiting"), this.timer);
		await().atMost(Duration.ofSeconds(5)).until(() -> resumed.size() == 1);
		assertThat(breaker.waiting()).isZero();
	}

	@Test
	void aRouteWithoutFailuresHasNoBreakerAndARemovedOneReleasesItsWaitingAttempts() {
		assertThat(this.breakers.register("none", new ConsumerRoute.Breaker(0, Duration.ofSeconds(5)))).isNull();
		assertThat(this.breakers.get("none")).isNull();

		PeerBreaker breaker = this.breakers.register("r", new ConsumerRoute.Breaker(1, Duration.ofMinutes(1)));
		fail(breaker, new ConnectException("refused"));
		List<String> resumed = new CopyOnWriteArrayList<>();
		breaker.await(() -> resumed.add("waiting"), this.timer);
		// Registered again (the route was created again): a fresh breaker, the waiting
		// attempt resumed.
		PeerBreaker replaced = this.breakers.register("r", new ConsumerRoute.Breaker(4, Duration.ofMinutes(1)));
		assertThat(resumed).containsExactly("waiting");
		assertThat(replaced.breaker().getState()).isEqualTo(State.CLOSED);
		assertThat(this.breakers.states()).extracting(BreakerState::failures).containsExactly(4);

		this.breakers.remove("r");
		assertThat(this.breakers.get("r")).isNull();
		assertThat(this.breakers.states()).isEmpty();
		assertThat(this.meters.find("resilience4j.circuitbreaker.state").tag("name", "r").gauges()).isEmpty();
	}

	private static void fail(PeerBreaker breaker, Throwable failure) {
		PeerBreaker.Permit permit = breaker.tryEnter();
		assertThat(permit).as("closed: the attempt may run").isNotNull();
		permit.finish(failure);
	}

}
