package com.ecommerce.eventhub.email;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Formats the spec's money objects for people: {@code {"amount": 229.98, "currency":
 * "USD"}} is "$ 229.98".
 */
final class MoneyFormat {

	private static final Map<String, String> SYMBOLS = Map.of("USD", "$", "EUR", "€", "GBP", "£", "JPY", "¥", "CAD",
			"CA$", "AUD", "A$", "CHF", "CHF");

	private MoneyFormat() {
	}

	/**
	 * @param money a money object, or null / JSON null
	 * @return the formatted amount, null for no money
	 */
	static String format(JsonNode money) {
		if (money == null || money.isNull() || !money.has("amount")) {
			return null;
		}
		String currency = money.path("currency").asText("");
		BigDecimal amount = money.get("amount").decimalValue().setScale(2, RoundingMode.HALF_UP);
		return SYMBOLS.getOrDefault(currency, currency) + " " + amount.toPlainString();
	}

}
