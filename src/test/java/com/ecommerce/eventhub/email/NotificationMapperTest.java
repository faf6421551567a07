package com.ecommerce.eventhub.email;

import java.util.Map;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationMapperTest {

	private final NotificationMapper mapper = new NotificationMapper(
			Map.of("UPS", "https://track.example/ups?n={trackingNumber}"), 3);

	@Test
	void orderPlacedBecomesAnOrderConfirmationWithFormattedMoney() throws Exception {
		JsonNode request = this.mapper.requestPayload(envelope("order.placed"));

		assertThat(request.get("templateType").asText()).isEqualTo("order_confirmation");
		assertThat(request.get("priority").asText()).isEqualTo("high");
		assertThat(request.get("recipient").asText()).isEqualTo("buyer@example.com");
		assertThat(request.get("retryAttempts").asInt()).isZero();
		assertThat(request.get("maxRetries").asInt()).isEqualTo(3);
		JsonNode data = request.get("data");
		assertThat(data.get("orderNumber").asText()).isEqualTo("ORD-2025-11-000123");
		assertThat(data.get("customerName").asText()).isEqualTo("John Doe");
		assertThat(data.get("total").asText()).isEqualTo("$ 229.98");
		assertThat(data.get("subtotal").asText()).isEqualTo("$ 199.98");
		assertThat(data.get("tax").asText()).isEqualTo("$ 20.00");
		assertThat(data.get("shipping").asText()).isEqualTo("$ 10.00");
		assertThat(data.get("discount").isNull()).isTrue();
		assertThat(data.get("poNumber").asText()).isEqualTo("PO-123456");
		assertThat(data.get("shippingAddress").get("city").asText()).isEqualTo("San Francisco");
		JsonNode item = data.get("items").get(0);
		assertThat(item.get("name").asText()).isEqualTo("Product Name");
		assertThat(item.get("sku").asText()).isEqualTo("PROD-001-L-BLUE");
		assertThat(item.get("quantity").asInt()).isEqualTo(2);
		assertThat(item.get("unitPrice").asText()).isEqualTo("$ 99.99");
		assertThat(item.get("subtotal").asText()).isEqualTo("$ 199.98");
	}

	@Test
	void orderCancelledStatesTheReasonInWords() throws Exception {
		JsonNode request = this.mapper.requestPayload(envelope("order.cancelled"));

		assertThat(request.get("templateType").asText()).isEqualTo("order_cancellation");
		assertThat(request.get("data").get("reason").asText()).isEqualTo("the order was cancelled at your request");
		assertThat(request.get("data").get("total").asText()).isEqualTo("$ 229.98");
		assertThat(request.get("data").get("items").get(0).get("sku").asText()).isEqualTo("PROD-001-L-BLUE");
	}

	@Test
	void orderShippedLinksTheCarriersTrackingPage() throws Exception {
		ObjectNode shipped = OutboxFixtures.example("order.shipped");
		((ObjectNode) shipped.get("payload")).put("trackingNumber", "1Z 999&AA");
		JsonNode request = this.mapper.requestPayload(EnvelopeJson.mapper().treeToValue(shipped, Envelope.class));

		assertThat(request.get("templateType").asText()).isEqualTo("order_shipped");
		assertThat(request.get("priority").asText()).isEqualTo("normal");
		JsonNode data = request.get("data");
		assertThat(data.get("carrier").asText()).isEqualTo("UPS");
		assertThat(data.get("trackingUrl").asText()).isEqualTo("https://track.example/ups?n=1Z+999%26AA");
		assertThat(data.get("expectedDeliveryDate").asText()).isEqualTo("2025-11-22");
	}

	@Test
	void anUnknownCarrierHasNoTrackingUrl() throws Exception {
		ObjectNode shipped = OutboxFixtures.example("order.shipped");
		((ObjectNode) shipped.get("payload")).put("trackingCarrier", "Pigeon Post");
		JsonNode request = this.mapper.requestPayload(EnvelopeJson.mapper().treeToValue(shipped, Envelope.class));

		assertThat(request.get("data").get("trackingUrl").isNull()).isTrue();
	}

	@Test
	void moneyInOtherCurrencies() {
		assertThat(MoneyFormat.format(EnvelopeJson.mapper().createObjectNode().put("amount", 5).put("currency", "EUR")))
			.isEqualTo("€ 5.00");
		assertThat(MoneyFormat
			.format(EnvelopeJson.mapper().createObjectNode().put("amount", 5.005).put("currency", "SEK")))
			.isEqualTo("SEK 5.01");
	}

	private static Envelope envelope(String type) throws Exception {
		return EnvelopeJson.mapper().treeToValue(OutboxFixtures.example(type), Envelope.class);
	}

}
