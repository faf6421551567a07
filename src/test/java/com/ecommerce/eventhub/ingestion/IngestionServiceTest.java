package com.ecommerce.eventhub.ingestion;

import java.io.InputStream;
import java.time.Clock;
import java.util.List;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.config.HubProperties;
import com.ecommerce.eventhub.config.IngestionProperties;
import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What ingestion decides before anything is stored: the shape of the request, the key's
 * scopes, every violation with its pointer, values PostgreSQL cannot store, the size
 * limit. (Storing is {@code IngestionIT}'s.)
 */
class IngestionServiceTest {

	private static final IngestionProperties INGESTION = new IngestionProperties(3, DataSize.ofMegabytes(1),
			List.of("email.*"));

	private final IngestionService service = new IngestionService(EventSchemas.load(),
			new HubProperties("eventhub", "ecommerce-api", "production", 30), INGESTION,
			new EnvelopeProperties(DataSize.ofKilobytes(4)), null, null, new EventTypeScope(INGESTION), null,
			Clock.systemUTC());

	private final ApiKey everything = new ApiKey("cms", "0123456789abcdef", List.of("*"), false);

	@Test
	void aRequestMustBeOneEnvelopeOrABoundedArray() {
		assertThat(invalid(this.service.ingest(EnvelopeJson.mapper().getNodeFactory().textNode("x"), this.everything)))
			.contains("Send one event envelope");
		assertThat(invalid(this.service.ingest(EnvelopeJson.mapper().createArrayNode(), this.everything)))
			.contains("no event");
		ArrayNode four = EnvelopeJson.mapper().createArrayNode();
		for (int i = 0; i < 4; i++) {
			four.add(example("landing-cms.content-published"));
		}
		assertThat(invalid(this.service.ingest(four, this.everything))).contains("At most 3 events");
	}

	@Test
	void aKeyPostsOnlyItsTypesAndHubInternalTypesOnlyByName() {
		ApiKey cms = new ApiKey("cms", "0123456789abcdef", List.of("landing-cms.*"), false);
		assertThat(this.service.ingest(example("product.created"), cms))
			.isEqualTo(new IngestionOutcome.Forbidden(java.util.Set.of("product.created")));
		assertThat(this.service.ingest(example("email.notification-requested"), this.everything))
			.isInstanceOf(IngestionOutcome.Forbidden.class);
		ApiKey prefix = new ApiKey("mail", "0123456789abcdef", List.of("email.*"), false);
		assertThat(this.service.ingest(example("email.sent"), prefix)).isInstanceOf(IngestionOutcome.Forbidden.class);
	}

	@Test
	void everyViolationIsNamedWithItsPointerAndIndex() {
		ObjectNode missing = example("landing-cms.content-published");
		((ObjectNode) missing.get("payload")).remove("publishedBy");
		ObjectNode nul = example("landing-cms.content-published");
		((ObjectNode) nul.get("payload")).put("publishedBy", "a\u0000b@example.com");
		ObjectNode huge = example("landing-cms.content-published");
		((ObjectNode) huge.get("payload")).put("version", new java.math.BigDecimal("1e64"));
		ArrayNode batch = EnvelopeJson.mapper().createArrayNode().add(missing).add(nul).add(huge);
		IngestionOutcome outcome = this.service.ingest(batch, this.everything);
		assertThat(outcome).isInstanceOf(IngestionOutcome.Invalid.class);
		assertThat(((IngestionOutcome.Invalid) outcome).violations()).extracting(v -> v.pointer() + "@" + v.index())
			.contains("/0/payload/publishedBy@0", "/1/payload/publishedBy@1", "/2/payload/version@2");
	}

	@Test
	void anEventOverTheSizeLimitIsTooLarge() {
		ObjectNode large = example("landing-cms.content-published");
		((ObjectNode) large.get("payload")).put("note", "n".repeat(5000));
		IngestionOutcome outcome = this.service.ingest(large, this.everything);
		assertThat(outcome).isInstanceOf(IngestionOutcome.TooLarge.class);
		assertThat(((IngestionOutcome.TooLarge) outcome).violations().get(0).message()).contains("at most 4096");
	}

	private static String invalid(IngestionOutcome outcome) {
		assertThat(outcome).isInstanceOf(IngestionOutcome.Invalid.class);
		return ((IngestionOutcome.Invalid) outcome).detail();
	}

	private static ObjectNode example(String eventType) {
		try (InputStream in = IngestionServiceTest.class.getResourceAsStream("/examples/" + eventType + ".json")) {
			JsonNode example = EnvelopeJson.mapper().readTree(in);
			return (ObjectNode) example;
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
