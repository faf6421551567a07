package com.ecommerce.eventhub.envelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code major.minor}: ASCII digits, no leading zeros, at most four digits each. */
class EventVersionTest {

	@ParameterizedTest
	@ValueSource(strings = { "1.0", "0.0", "2.13", "9999.9999", "10.0" })
	void wellFormedVersionsParse(String text) {
		assertThat(EventVersion.isValid(text)).isTrue();
		assertThat(EventVersion.parse(text).toString()).isEqualTo(text);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "1", "1.", ".1", "01.0", "1.00", "1.0.0", "10000.0", "1.10000", "1.0\n", " 1.0",
			"-1.0", "1.-0", "a.b", "1e2.0", "\u0661.\u0660", "1..0" })
	void anythingElseIsRefused(String text) {
		assertThat(EventVersion.isValid(text)).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> EventVersion.parse(text));
	}

	@Test
	void nullIsRefused() {
		assertThat(EventVersion.isValid(null)).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> EventVersion.parse(null));
	}

	@Test
	void theNumbersAreRead() {
		assertThat(EventVersion.parse("12.3")).isEqualTo(new EventVersion(12, 3));
	}

}
