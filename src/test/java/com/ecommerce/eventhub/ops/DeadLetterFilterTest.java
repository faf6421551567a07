package com.ecommerce.eventhub.ops;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Everything matching the filter" must mean the same in the API and the console: every
 * criterion set must match, an empty filter matches nothing unless it says all.
 */
class DeadLetterFilterTest {

	private static final DeadLetterView VIEW = new DeadLetterView("id-1", "order.placed", "email-send",
			"com.ecommerce.eventhub.envelope.PermanentFailureException", "refused", 5, "2025-11-18T10:00:00.250Z",
			"order.placed");

	@Test
	void everyCriterionMustMatch() {
		assertThat(filter(Set.of(), "order.placed", "email-send", null, null, null).matches(VIEW)).isTrue();
		assertThat(filter(Set.of(), "order.placed", "other", null, null, null).matches(VIEW)).isFalse();
		assertThat(filter(Set.of("id-1", "id-2"), null, null, null, null, null).matches(VIEW)).isTrue();
		assertThat(filter(Set.of("id-2"), "order.placed", null, null, null, null).matches(VIEW)).isFalse();
	}

	@Test
	void exceptionClassMatchesByFullOrSimpleName() {
		assertThat(filter(Set.of(), null, null, "PermanentFailureException", null, null).matches(VIEW)).isTrue();
		assertThat(filter(Set.of(), null, null, VIEW.exceptionClass(), null, null).matches(VIEW)).isTrue();
		assertThat(filter(Set.of(), null, null, "FailureException", null, null).matches(VIEW)).isFalse();
	}

	@Test
	void theTimeWindowTakesFromAndLeavesTo() {
		Instant at = Instant.parse("2025-11-18T10:00:00.250Z");
		assertThat(filter(Set.of(), null, null, null, at, null).matches(VIEW)).isTrue();
		assertThat(filter(Set.of(), null, null, null, null, at).matches(VIEW)).isFalse();
		assertThat(filter(Set.of(), null, null, null, at.minusSeconds(1), at.plusSeconds(1)).matches(VIEW)).isTrue();
		DeadLetterView undated = new DeadLetterView("id-2", "order.placed", "r", "E", "m", 1, "not a time", "k");
		assertThat(filter(Set.of(), null, null, null, at, null).matches(undated)).isFalse();
	}

	@Test
	void anEmptyFilterMatchesNothingUnlessItSaysAll() {
		assertThat(filter(Set.of(), null, null, null, null, null).isUnspecified()).isTrue();
		assertThat(filter(Set.of(), null, null, null, null, null).matches(VIEW)).isFalse();
		assertThat(DeadLetterFilter.ALL.matches(VIEW)).isTrue();
		assertThat(DeadLetterFilter.ALL.describe()).containsEntry("all", true);
	}

	private static DeadLetterFilter filter(Set<String> ids, String type, String route, String exception, Instant from,
			Instant to) {
		return new DeadLetterFilter(ids, type, route, exception, from, to, false);
	}

}
