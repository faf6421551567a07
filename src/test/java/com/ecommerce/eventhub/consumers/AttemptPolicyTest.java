package com.ecommerce.eventhub.consumers;

import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead letter channel's retryWhile: the route's attempts, and no retry of what
 * retrying cannot fix.
 */
class AttemptPolicyTest {

	private final AttemptPolicy policy = new AttemptPolicy(routeId -> 3);

	@Test
	void retriesUntilTheRoutesAttemptsAreUsedUp() {
		Exchange exchange = failedWith(new IllegalStateException("peer down"));
		for (int attempt = 1; attempt <= 3; attempt++) {
			assertThat(AttemptPolicy.startAttempt(exchange)).isEqualTo(attempt);
			assertThat(this.policy.matches(exchange)).as("after attempt " + attempt).isEqualTo(attempt < 3);
		}
		assertThat(AttemptPolicy.attemptsMade(exchange)).isEqualTo(3);
	}

	@Test
	void aPermanentFailureIsNotRetried() {
		for (Exception permanent : new Exception[] { new PermanentFailureException("HTTP 404"),
				new EnvelopeValidationException("invalid envelope") }) {
			Exchange exchange = failedWith(permanent);
			AttemptPolicy.startAttempt(exchange);
			assertThat(this.policy.matches(exchange)).as(permanent.getMessage()).isFalse();
		}
	}

	@Test
	void theCaughtExceptionCountsWhenTheExchangeNoLongerCarriesOne() {
		Exchange exchange = new DefaultExchange(new DefaultCamelContext());
		exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new PermanentFailureException("already handled"));
		AttemptPolicy.startAttempt(exchange);
		assertThat(this.policy.matches(exchange)).isFalse();
	}

	@Test
	void aFailureTakenBackUsesUpNoAttemptAndIsNoFailedAttempt() {
		Exchange exchange = failedWith(new RetryLaterException("probe: SMTP still down", null, null));
		AttemptPolicy.startAttempt(exchange);
		assertThat(AttemptPolicy.counted(exchange)).isTrue();
		AttemptPolicy.startAttempt(exchange);
		AttemptPolicy.uncount(exchange);
		assertThat(AttemptPolicy.attemptsMade(exchange)).isEqualTo(1);
		assertThat(AttemptPolicy.counted(exchange)).isFalse();
		assertThat(this.policy.matches(exchange)).isTrue();
		assertThat(AttemptPolicy.startAttempt(exchange)).as("the same attempt again").isEqualTo(2);
		assertThat(AttemptPolicy.counted(exchange)).isTrue();
	}

	private static Exchange failedWith(Exception failure) {
		Exchange exchange = new DefaultExchange(new DefaultCamelContext());
		exchange.setException(failure);
		return exchange;
	}

}
