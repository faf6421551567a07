package com.ecommerce.eventhub.envelope;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Makes a parsed JSON tree exactly what PostgreSQL stores and the relay publishes, or
 * says where it cannot be: an event the hub accepted must never fail later in the
 * database or at the relay.
 *
 * <ul>
 * <li>Numbers are rewritten the way PostgreSQL's {@code numeric} keeps them: {@code 1e2}
 * becomes {@code 100}, {@code 1.50} stays {@code 1.50}. A number longer than
 * {@link EnvelopeJson#MAX_NUMBER_LENGTH} characters once written out ({@code 1e64}) is
 * refused: the relay and consumers could not read it back.</li>
 * <li>Strings and keys holding U+0000 or an unpaired surrogate are refused: PostgreSQL's
 * text and jsonb cannot store either, and a lone surrogate would turn into {@code ?} on
 * the way.</li>
 * </ul>
 * One pass over the tree, linear in its size.
 */
public final class StorableJson {

	private StorableJson() {
	}

	/**
	 * Canonicalizes the numbers of the tree in place and reports what cannot be stored.
	 * @param root a parsed document
	 * @param pointer the JSON pointer of {@code root} in what the caller reports,
	 * {@code ""} for the top
	 * @return every value that cannot be stored, empty when the tree is storable
	 */
	public static List<Violation> canonicalize(JsonNode root, String pointer) {
		List<Violation> violations = new ArrayList<>();
		if (root.isTextual()) {
			checkText(root.textValue(), pointer, violations);
		}
		else if (root.isContainerNode()) {
			visit(root, pointer, violations);
		}
		return violations;
	}

	private static void visit(JsonNode container, String pointer, List<Violation> violations) {
		if (container instanceof ObjectNode object) {
			List<Map.Entry<String, JsonNode>> replacements = new ArrayList<>();
			for (Map.Entry<String, JsonNode> field : object.properties()) {
				String child = pointer + "/" + escape(field.getKey());
				checkText(field.getKey(), child, violations, "key");
				JsonNode replacement = check(field.getValue(), child, violations);
				if (replacement != field.getValue()) {
					replacements.add(Map.entry(field.getKey(), replacement));
				}
			}
			replacements.forEach(entry -> object.set(entry.getKey(), entry.getValue()));
		}
		else if (container instanceof ArrayNode array) {
			for (int i = 0; i < array.size(); i++) {
				JsonNode replacement = check(array.get(i), pointer + "/" + i, violations);
				if (replacement != array.get(i)) {
					array.set(i, replacement);
				}
			}
		}
	}

	/**
	 * Checks one value; returns the node to keep in its place (a canonical number, or the
	 * node itself).
	 */
	private static JsonNode check(JsonNode value, String pointer, List<Violation> violations) {
		if (value.isTextual()) {
			checkText(value.textValue(), pointer, violations);
		}
		else if (value.isNumber()) {
			return canonicalNumber(value, pointer, violations);
		}
		else if (value.isContainerNode()) {
			visit(value, pointer, violations);
		}
		return value;
	}

	private static JsonNode canonicalNumber(JsonNode number, String pointer, List<Violation> violations) {
		if (number.isInt() || number.isLong()) {
			return number; // already as PostgreSQL writes it
		}
		if (number.isDouble() || number.isFloat()) {
			double value = number.doubleValue();
			if (Double.isNaN(value) || Double.isInfinite(value)) {
				violations.add(new Violation(pointer, "is not a finite number"));
				return number;
			}
		}
		BigDecimal value = number.decimalValue();
		// The written-out length from precision and scale alone: 1e-999999999 is twelve
		// characters as
		// written and a billion written out, which must not be built to be measured.
		long integerDigits = Math.max(1L, (long) value.precision() - value.scale());
		long fractionDigits = Math.max(0L, value.scale());
		long length = integerDigits + ((fractionDigits > 0) ? 1 + fractionDigits : 0) + ((value.signum() < 0) ? 1 : 0);
		if (length > EnvelopeJson.MAX_NUMBER_LENGTH) {
			violations.add(new Violation(pointer, "number has " + length + " characters written out; at most "
					+ EnvelopeJson.MAX_NUMBER_LENGTH + " are allowed"));
			return number;
		}
		if (value.scale() < 0) {
			value = value.setScale(0);
		}
		if (value.scale() == 0) {
			BigInteger integer = value.toBigIntegerExact();
			return (integer.bitLength() < 64) ? JsonNodeFactory.instance.numberNode(integer.longValue())
					: JsonNodeFactory.instance.numberNode(integer);
		}
		return DecimalNode.valueOf(value);
	}

	private static void checkText(String text, String pointer, List<Violation> violations) {
		checkText(text, pointer, violations, "string");
	}

	private static void checkText(String text, String pointer, List<Violation> violations, String what) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\u0000') {
				violations.add(new Violation(pointer, what + " contains U+0000, which cannot be stored"));
				return;
			}
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				violations.add(new Violation(pointer, what + " contains an unpaired surrogate (not valid Unicode)"));
				return;
			}
		}
	}

	/**
	 * The key as a JSON pointer segment (RFC 6901), with what cannot be shown replaced by
	 * U+FFFD.
	 */
	private static String escape(String key) {
		StringBuilder segment = new StringBuilder(key.length());
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
				segment.append(c).append(key.charAt(++i));
			}
			else if (c == '\u0000' || Character.isSurrogate(c)) {
				segment.append('\uFFFD');
			}
			else if (c == '~') {
				segment.append("~0");
			}
			else if (c == '/') {
				segment.append("~1");
			}
			else {
				segment.append(c);
			}
		}
		return segment.toString();
	}

}
