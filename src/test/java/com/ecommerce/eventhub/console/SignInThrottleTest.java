package com.ecommerce.eventhub.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import com.ecommerce.eventhub.config.ConsoleProperties;
import com.ecommerce.eventhub.config.ConsoleProperties.SecureCookie;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed sign-ins per address: refused past the limit until the window moves on. */
class SignInThrottleTest {

	private final MovableClock clock = new MovableClock();

	private final SignInThrottle throttle = new SignInThrottle(this.clock, new ConsoleProperties(Duration.ofMinutes(15),
			Duration.ofHours(8), SecureCookie.AUTO, 3, Duration.ofMinutes(5), DataSize.ofKilobytes(64)));

	@Test
	void refusesAnAddressAfterTooManyFailuresUntilTheyLeaveTheWindow() {
		for (int i = 0; i < 3; i++) {
			assertThat(this.throttle.allows("10.0.0.1")).isTrue();
			this.throttle.failed("10.0.0.1");
			this.clock.advance(Duration.ofSeconds(30));
		}
		assertThat(this.throttle.allows("10.0.0.1")).isFalse();
		assertThat(this.throttle.allows("10.0.0.2")).as("another address").isTrue();
		// The first failure leaves the window after five minutes: one more try.
		this.clock.advance(Duration.ofSeconds(211));
		assertThat(this.throttle.allows("10.0.0.1")).isTrue();
		this.throttle.failed("10.0.0.1");
		assertThat(this.throttle.allows("10.0.0.1")).isFalse();
	}

	@Test
	void aSuccessfulSignInForgetsTheFailures() {
		this.throttle.failed("10.0.0.1");
		this.throttle.failed("10.0.0.1");
		this.throttle.succeeded("10.0.0.1");
		this.throttle.failed("10.0.0.1");
		this.throttle.failed("10.0.0.1");
		assertThat(this.throttle.allows("10.0.0.1")).isTrue();
	}

	@Test
	void keepsBoundedMemory() {
		for (int i = 0; i < SignInThrottle.MAX_CLIENTS + 100; i++) {
			this.throttle.failed("client-" + i);
		}
		assertThat(this.throttle.tracked()).isEqualTo(SignInThrottle.MAX_CLIENTS);
	}

	private static final class MovableClock extends Clock {

		private Instant now = Instant.parse("2026-01-01T00:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
