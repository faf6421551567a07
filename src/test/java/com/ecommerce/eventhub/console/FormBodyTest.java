package com.ecommerce.eventhub.console;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The console parses its forms itself (Tomcat parses none): decoding and bounds. */
class FormBodyTest {

	@Test
	void decodesFieldsAndKeepsEveryValueOfARepeatedOne() {
		FormBody form = FormBody.parse(bytes("_csrf=abc&eventId=1&eventId=2&eventId=&q=a+b%26c%3D&flag"));
		assertThat(form.get("_csrf")).isEqualTo("abc");
		assertThat(form.all("eventId")).containsExactly("1", "2");
		assertThat(form.get("q")).isEqualTo("a b&c=");
		assertThat(form.get("flag")).isNull();
		assertThat(form.get("missing")).isNull();
		assertThat(form.checked("flag")).isFalse();
		assertThat(FormBody.parse(bytes("bypass=true")).checked("bypass")).isTrue();
		assertThat(FormBody.parse(bytes("bypass=false")).checked("bypass")).isFalse();
	}

	@Test
	void decodesUtf8AndRefusesMalformedEscapesAndTooManyFields() {
		assertThat(FormBody.parse(bytes("q=%C3%A9t%C3%A9")).get("q")).isEqualTo("été");
		assertThatIllegalArgumentException().isThrownBy(() -> FormBody.parse(bytes("q=%zz")));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FormBody.parse(bytes("a=1&".repeat(FormBody.MAX_FIELDS + 1))));
		assertThat(FormBody.parse(new byte[0]).get("a")).isNull();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
