package com.ecommerce.eventhub.outbox;

import java.util.regex.Pattern;

/**
 * RabbitMQ's topic matching as a regular expression, so the database can select the
 * events a binding pattern would route: words separated by {@code .}, {@code *} one word,
 * {@code #} zero or more words. The expression is matched against the routing key with a
 * leading dot ({@code .order.placed}), which lets {@code #} match zero words without a
 * dangling separator. PostgreSQL's and Java's regular expressions read it the same way.
 */
final class TopicPatterns {

	private TopicPatterns() {
	}

	/**
	 * @param pattern a binding pattern, e.g. {@code order.#}
	 * @return an anchored expression for {@code "." + routingKey}
	 */
	static String regex(String pattern) {
		StringBuilder regex = new StringBuilder("^");
		for (String word : pattern.split("\\.", -1)) {
			switch (word) {
				case "#" -> regex.append("(\\.[^.]*)*");
				case "*" -> regex.append("\\.[^.]*");
				default -> regex.append("\\.").append(literal(word));
			}
		}
		return regex.append('$').toString();
	}

	/**
	 * @param pattern a binding pattern
	 * @param routingKey a routing key (an event type)
	 * @return whether a topic exchange routes the key to a queue bound with the pattern
	 */
	static boolean matches(String pattern, String routingKey) {
		return Pattern.compile(regex(pattern)).matcher("." + routingKey).matches();
	}

	/**
	 * A word as itself: every character that is not a letter or digit escaped (a
	 * backslash before a letter or digit would mean something else in both dialects).
	 */
	private static String literal(String word) {
		StringBuilder literal = new StringBuilder();
		word.codePoints().forEach(c -> {
			if (!Character.isLetterOrDigit(c)) {
				literal.append('\\');
			}
			literal.appendCodePoint(c);
		});
		return literal.toString();
	}

}
