package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a webhook's answer is read: which statuses are worth another try, and when. */
class EndpointHandlerTest {

	@Test
	void statusesThatMayChangeAreTransientAndTheRestPermanent() {
		for (int status : new int[] { 408, 425, 429, 500, 502, 503, 504, 599 }) {
			assertThat(EndpointHandler.isTransient(status)).as("HTTP " + status).isTrue();
		}
		for (int status : new int[] { 301, 302, 400, 401, 403, 404, 405, 409, 410, 413, 422, 451 }) {
			assertThat(EndpointHandler.isTransient(status)).as("HTTP " + status).isFalse();
		}
	}

	@Test
	void retryAfterIsReadAsSecondsOrAnHttpDateAndBounded() {
		assertThat(EndpointHandler.retryAfter(Map.of("Retry-After", "120"))).isEqualTo(Duration.ofSeconds(120));
		assertThat(EndpointHandler.retryAfter(Map.of("retry-after", " 5 "))).isEqualTo(Duration.ofSeconds(5));
		assertThat(EndpointHandler.retryAfter(Map.of("Retry-After", "999999999"))).isEqualTo(Duration.ofDays(1));
		String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(1));
		assertThat(EndpointHandler.retryAfter(Map.of("Retry-After", inAMinute))).isBetween(Duration.ofSeconds(50),
				Duration.ofSeconds(61));
		assertThat(EndpointHandler.retryAfter(Map.of("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")))
			.isEqualTo(Duration.ZERO);
		for (String unreadable : new String[] { "", "soon", "-5", "1.5", "9".repeat(100) }) {
			assertThat(EndpointHandler.retryAfter(Map.of("Retry-After", unreadable))).as(unreadable).isNull();
		}
		assertThat(EndpointHandler.retryAfter(Map.of())).isNull();
		assertThat(EndpointHandler.retryAfter(null)).isNull();
	}

}
