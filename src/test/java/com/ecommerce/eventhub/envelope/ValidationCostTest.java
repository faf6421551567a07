package com.ecommerce.eventhub.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No check on event data costs more than linear time: the e-mail format check is one
 * pass, and every string of the 21 schemas (and of the envelope) has a maxLength.
 */
class ValidationCostTest {

	private final EventSchemas schemas = EventSchemas.load();

	/**
	 * 32,000 {@code @} and a space took 13 s with the validator's own e-mail check,
	 * growing with the square of the length. The one-pass check answers in microseconds;
	 * the bound is generous.
	 */
	@Test
	void aHostileEmailValueIsRefusedInLinearTime() {
		for (int length : new int[] { 32_000, 250_000 }) {
			ObjectNode event = example("landing-cms.content-published");
			((ObjectNode) event.get("payload")).put("publishedBy", "@".repeat(length) + " ");
			long start = System.nanoTime();
			List<Violation> violations = this.schemas.validate(event);
			long millis = (System.nanoTime() - start) / 1_000_000;
			assertThat(violations).extracting(Violation::pointer).contains("/payload/publishedBy");
			assertThat(millis).as("validating a %d-character value", length).isLessThan(2_000);
		}
	}

	@Test
	void theEmailCheckTakesPlainAddressesOnly() {
		for (String valid : new String[] { "admin@example.com", "b.o-b+tag@mail.example.co.uk", "x@localhost",
				"o'hara@example.org", "a".repeat(64) + "@example.com" }) {
			assertThat(EmailAddressFormat.isValid(valid)).as(valid).isTrue();
		}
		for (String invalid : new String[] { "", "@", "@example.com", "admin@", "admin", "a@b@c", ".a@example.com",
				"a.@example.com", "a..b@example.com", "a b@example.com", "a@-example.com", "a@example-.com",
				"a@exa_mple.com", "a@example..com", "\"quoted\"@example.com", "a@[127.0.0.1]", "Bob <b@example.com>",
				"a\r\n@example.com", "a".repeat(65) + "@example.com", "a@" + "b".repeat(64) + ".com",
				"a@" + "b.".repeat(130) + "com", "ünï@example.com" }) {
			assertThat(EmailAddressFormat.isValid(invalid)).as(invalid).isFalse();
		}
	}

	@Test
	void everyStringOfEverySchemaHasAMaxLength() throws IOException, URISyntaxException {
		Path root = Path.of(getClass().getClassLoader().getResource("schemas").toURI());
		List<String> unbounded = new ArrayList<>();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
				collectUnbounded(EnvelopeJson.mapper().readTree(file.toFile()), root.relativize(file) + "#", unbounded);
			}
		}
		assertThat(unbounded).as("string schemas without maxLength").isEmpty();
	}

	private static ObjectNode example(String eventType) {
		try (InputStream in = ValidationCostTest.class.getResourceAsStream("/examples/" + eventType + ".json")) {
			return (ObjectNode) EnvelopeJson.mapper().readTree(in);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void collectUnbounded(JsonNode node, String path, List<String> unbounded) {
		if (node.isObject()) {
			JsonNode type = node.get("type");
			boolean string = type != null
					&& (type.asText().equals("string") || (type.isArray() && type.toString().contains("\"string\"")));
			if (string && !node.has("maxLength")) {
				unbounded.add(path);
			}
			node.properties()
				.forEach(field -> collectUnbounded(field.getValue(), path + "/" + field.getKey(), unbounded));
		}
		else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				collectUnbounded(node.get(i), path + "/" + i, unbounded);
			}
		}
	}

}
