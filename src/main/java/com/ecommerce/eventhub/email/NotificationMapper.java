package com.ecommerce.eventhub.email;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Maps an order event to the payload of its {@code email.notification-requested} event:
 * template type, recipient, priority and the template's data (DESIGN "E-mail").
 */
final class NotificationMapper {

	private static final Map<String, String> CANCELLATION_REASONS = Map.of("user_request",
			"the order was cancelled at your request", "inventory_unavailable", "some items are no longer available",
			"system_error", "a system error prevented us from fulfilling it");

	private final Map<String, String> trackingUrls;

	private final int maxRetries;

	/**
	 * @param trackingUrls per carrier, a URL template with {@code {trackingNumber}}
	 * @param maxRetries retries a failed send gets
	 */
	NotificationMapper(Map<String, String> trackingUrls, int maxRetries) {
		this.trackingUrls = Map.copyOf(trackingUrls);
		this.maxRetries = maxRetries;
	}

	/**
	 * @param order an order.placed, order.cancelled or order.shipped event
	 * @return the request payload
	 * @throws IllegalArgumentException for other event types
	 */
	ObjectNode requestPayload(Envelope order) {
		JsonNode payload = order.payload();
		ObjectNode request = EnvelopeJson.mapper().createObjectNode();
		ObjectNode data;
		switch (order.eventType()) {
			case "order.placed" -> {
				request.put("templateType", "order_confirmation");
				request.put("priority", "high");
				data = placedData(payload);
			}
			case "order.cancelled" -> {
				request.put("templateType", "order_cancellation");
				request.put("priority", "high");
				data = cancelledData(payload);
			}
			case "order.shipped" -> {
				request.put("templateType", "order_shipped");
				request.put("priority", "normal");
				data = shippedData(payload);
			}
			default -> throw new IllegalArgumentException("No notification for " + order.eventType());
		}
		request.put("recipient", payload.path("userEmail").asText());
		request.set("data", data);
		request.put("retryAttempts", 0);
		request.put("maxRetries", this.maxRetries);
		return request;
	}

	private static ObjectNode placedData(JsonNode payload) {
		ObjectNode data = EnvelopeJson.mapper().createObjectNode();
		data.put("orderNumber", payload.path("orderNumber").asText());
		data.put("customerName", payload.path("shippingAddress").path("contactName").asText(""));
		ArrayNode items = data.putArray("items");
		for (JsonNode item : payload.path("items")) {
			ObjectNode line = items.addObject();
			line.put("name", item.path("productName").asText());
			line.put("sku", item.path("sku").asText());
			line.put("quantity", item.path("quantity").asInt());
			line.put("unitPrice", MoneyFormat.format(item.get("unitPrice")));
			line.put("subtotal", MoneyFormat.format(item.get("subtotal")));
		}
		data.put("subtotal", MoneyFormat.format(payload.get("subtotal")));
		data.put("tax", MoneyFormat.format(payload.get("tax")));
		data.put("shipping", MoneyFormat.format(payload.get("shipping")));
		data.put("discount", MoneyFormat.format(payload.get("discount")));
		data.put("total", MoneyFormat.format(payload.get("total")));
		data.put("poNumber", payload.path("poNumber").asText(null));
		if (payload.hasNonNull("shippingAddress")) {
			data.set("shippingAddress", payload.get("shippingAddress").deepCopy());
		}
		return data;
	}

	private static ObjectNode cancelledData(JsonNode payload) {
		ObjectNode data = EnvelopeJson.mapper().createObjectNode();
		data.put("orderNumber", payload.path("orderNumber").asText());
		String reason = payload.path("reason").asText();
		data.put("reason", CANCELLATION_REASONS.getOrDefault(reason, reason.replace('_', ' ')));
		ArrayNode items = data.putArray("items");
		for (JsonNode item : payload.path("items")) {
			ObjectNode line = items.addObject();
			line.put("sku", item.path("sku").asText());
			line.put("quantity", item.path("quantity").asInt());
		}
		data.put("total", MoneyFormat.format(payload.get("total")));
		return data;
	}

	private ObjectNode shippedData(JsonNode payload) {
		ObjectNode data = EnvelopeJson.mapper().createObjectNode();
		data.put("orderNumber", payload.path("orderNumber").asText());
		String carrier = payload.path("trackingCarrier").asText("");
		String trackingNumber = payload.path("trackingNumber").asText("");
		data.put("carrier", carrier);
		data.put("trackingNumber", trackingNumber);
		data.put("trackingUrl", trackingUrl(carrier, trackingNumber));
		data.put("expectedDeliveryDate", payload.path("expectedDeliveryDate").asText(null));
		data.put("shippedAt", payload.path("shippedAt").asText(null));
		return data;
	}

	private String trackingUrl(String carrier, String trackingNumber) {
		String template = this.trackingUrls.get(carrier.toUpperCase(Locale.ROOT));
		if (template == null || trackingNumber.isEmpty()) {
			return null;
		}
		return template.replace("{trackingNumber}", URLEncoder.encode(trackingNumber, StandardCharsets.UTF_8));
	}

}
