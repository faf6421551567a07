package com.ecommerce.eventhub.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The envelope and payload schemas against the spec's examples (one valid fixture per
 * event type under {@code src/test/resources/examples/}) and broken copies of them.
 */
class EventSchemasTest {

	/** Per event type, a payload field its v1 schema requires. */
	private static final Map<String, String> REQUIRED_FIELD = Map.ofEntries(
			Map.entry("landing-cms.content-updated", "section"),
			Map.entry("landing-cms.content-published", "publishedBy"), Map.entry("product.created", "basePrice"),
			Map.entry("product.updated", "changes"), Map.entry("product.activated", "activatedBy"),
			Map.entry("product.deactivated", "reason"), Map.entry("inventory.reserved", "variantId"),
			Map.entry("inventory.released", "referenceId"), Map.entry("inventory.restocked", "quantity"),
			Map.entry("order.cart.item-added", "unitPrice"), Map.entry("order.cart.item-removed", "cartItemId"),
			Map.entry("order.cart.item-quantity-updated", "newQuantity"), Map.entry("order.cart.cleared", "reason"),
			Map.entry("order.cart.converted", "orderId"), Map.entry("order.placed", "discount"),
			Map.entry("order.cancelled", "items"), Map.entry("order.status-changed", "trackingNumber"),
			Map.entry("order.shipped", "shippedAt"), Map.entry("email.notification-requested", "data"),
			Map.entry("email.sent", "messageId"), Map.entry("email.failed", "nextRetryAt"));

	/**
	 * Per event type, a payload field (pointer relative to the payload) and a value it
	 * must reject.
	 */
	private static final Map<String, WrongValue> WRONG_VALUE = Map.ofEntries(
			Map.entry("landing-cms.content-updated", new WrongValue("/section", "banner")),
			Map.entry("landing-cms.content-published", new WrongValue("/publishedBy", "admin")),
			Map.entry("product.created", new WrongValue("/basePrice/currency", "usd")),
			Map.entry("product.updated", new WrongValue("/changes", "name")),
			Map.entry("product.activated", new WrongValue("/activatedBy", "not-an-email")),
			Map.entry("product.deactivated", new WrongValue("/deactivatedBy", "admin at example.com")),
			Map.entry("inventory.reserved", new WrongValue("/reservedFor", "wishlist")),
			Map.entry("inventory.released", new WrongValue("/reason", "lost")),
			Map.entry("inventory.restocked", new WrongValue("/quantity", 0)),
			Map.entry("order.cart.item-added", new WrongValue("/unitPrice/amount", -1)),
			Map.entry("order.cart.item-removed", new WrongValue("/productId", "not-a-uuid")),
			Map.entry("order.cart.item-quantity-updated", new WrongValue("/variantId", "not-a-uuid")),
			Map.entry("order.cart.cleared", new WrongValue("/itemCount", -1)),
			Map.entry("order.cart.converted", new WrongValue("/total/currency", "usd")),
			Map.entry("order.placed", new WrongValue("/items/0/productId", "not-a-uuid")),
			Map.entry("order.cancelled", new WrongValue("/reason", "changed_mind")),
			Map.entry("order.status-changed", new WrongValue("/newStatus", "teleported")),
			Map.entry("order.shipped", new WrongValue("/expectedDeliveryDate", "22/11/2025")),
			Map.entry("email.notification-requested", new WrongValue("/priority", "urgent")),
			Map.entry("email.sent", new WrongValue("/sentAt", "yesterday")),
			Map.entry("email.failed", new WrongValue("/nextRetryAt", "not-a-timestamp")));

	private static EventSchemas schemas;

	@BeforeAll
	static void loadSchemas() {
		schemas = EventSchemas.load();
	}

	static Stream<String> eventTypes() {
		return EventTypes.ALL.stream();
	}

	@Test
	void everyEventTypeHasAMissingFieldAndAWrongValueCase() {
		assertThat(REQUIRED_FIELD).containsOnlyKeys(EventTypes.ALL);
		assertThat(WRONG_VALUE).containsOnlyKeys(EventTypes.ALL);
		assertThat(EventTypes.ALL).allSatisfy((type) -> assertThat(schemas.supportedMajors(type)).containsExactly(1));
	}

	@ParameterizedTest
	@MethodSource("eventTypes")
	void specExampleIsValid(String type) throws IOException {
		JsonNode example = example(type);
		assertThat(example.path("eventType").asText()).isEqualTo(type);
		assertThat(schemas.validate(example)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("eventTypes")
	void missingRequiredPayloadFieldIsReported(String type) throws IOException {
		String field = REQUIRED_FIELD.get(type);
		ObjectNode envelope = example(type);
		assertThat(payload(envelope).remove(field)).as("fixture of %s has %s", type, field).isNotNull();
		List<Violation> violations = schemas.validate(envelope);
		assertThat(violations).extracting(Violation::pointer).containsExactly("/payload/" + field);
	}

	@ParameterizedTest
	@MethodSource("eventTypes")
	void wrongPayloadValueIsReported(String type) throws IOException {
		WrongValue wrong = WRONG_VALUE.get(type);
		ObjectNode envelope = example(type);
		JsonPointer pointer = JsonPointer.compile(wrong.pointer());
		JsonNode parent = payload(envelope).at(pointer.head());
		assertThat(parent.has(pointer.last().getMatchingProperty())).as("fixture of %s has %s", type, wrong.pointer())
			.isTrue();
		((ObjectNode) parent).set(pointer.last().getMatchingProperty(),
				EnvelopeJson.mapper().valueToTree(wrong.value()));
		List<Violation> violations = schemas.validate(envelope);
		assertThat(violations).isNotEmpty().extracting(Violation::pointer).containsOnly("/payload" + wrong.pointer());
	}

	@Test
	void higherMinorVersionWithExtraPayloadFieldIsValid() throws IOException {
		ObjectNode envelope = example("order.placed");
		envelope.put("eventVersion", "1.3");
		payload(envelope).put("loyaltyPoints", 230);
		assertThat(schemas.validate(envelope)).isEmpty();
	}

	@Test
	void unsupportedMajorVersionIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		envelope.put("eventVersion", "2.0");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/eventVersion");
	}

	@Test
	void malformedVersionIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		envelope.put("eventVersion", "1.0.1");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/eventVersion");
	}

	@Test
	void unknownEventTypeIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		envelope.put("eventType", "order.exploded");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/eventType");
	}

	@Test
	void missingEventIdIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		envelope.remove("eventId");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/eventId");
	}

	@Test
	void missingMetadataSourceIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		((ObjectNode) envelope.get("metadata")).remove("source");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/metadata/source");
	}

	@Test
	void unknownEnvelopeFieldIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		envelope.put("priority", "high");
		assertThat(schemas.validate(envelope)).extracting(Violation::message)
			.singleElement()
			.asString()
			.contains("'priority'");
	}

	@Test
	void recipientWithHeaderInjectionIsReported() throws IOException {
		ObjectNode envelope = example("email.notification-requested");
		payload(envelope).put("recipient", "buyer@example.com\r\nBcc: x@evil.example");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/payload/recipient");
	}

	@Test
	void orderWithoutPoNumberNotesOrVariantIsValid() throws IOException {
		ObjectNode envelope = example("order.placed");
		ObjectNode payload = payload(envelope);
		payload.remove("poNumber");
		payload.putNull("notes");
		((ObjectNode) payload.at("/items/0")).putNull("variantId");
		assertThat(schemas.validate(envelope)).isEmpty();
	}

	@Test
	void emptyOrderIsReported() throws IOException {
		ObjectNode envelope = example("order.placed");
		payload(envelope).putArray("items");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsExactly("/payload/items");
	}

	@Test
	void notificationDataWithoutOrderNumberIsReported() throws IOException {
		ObjectNode envelope = example("email.notification-requested");
		((ObjectNode) payload(envelope).get("data")).remove("orderNumber");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer)
			.containsExactly("/payload/data/orderNumber");
	}

	@Test
	void finalEmailFailureHasNoNextRetry() throws IOException {
		ObjectNode envelope = example("email.failed");
		payload(envelope).put("willRetry", false).putNull("nextRetryAt");
		assertThat(schemas.validate(envelope)).isEmpty();
		payload(envelope).put("nextRetryAt", "2025-11-18T10:05:05Z");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsOnly("/payload/nextRetryAt");
	}

	@Test
	void retriedEmailFailureHasANextRetry() throws IOException {
		ObjectNode envelope = example("email.failed");
		payload(envelope).putNull("nextRetryAt");
		assertThat(schemas.validate(envelope)).extracting(Violation::pointer).containsOnly("/payload/nextRetryAt");
	}

	private ObjectNode example(String type) throws IOException {
		try (InputStream in = getClass().getResourceAsStream("/examples/" + type + ".json")) {
			assertThat(in).as("fixture /examples/%s.json", type).isNotNull();
			return (ObjectNode) EnvelopeJson.mapper().readTree(in);
		}
	}

	private static ObjectNode payload(ObjectNode envelope) {
		return (ObjectNode) envelope.get("payload");
	}

	/**
	 * A value a payload field must reject.
	 *
	 * @param pointer the field, as a JSON pointer relative to the payload
	 * @param value the rejected value
	 */
	private record WrongValue(String pointer, Object value) {
	}

}
