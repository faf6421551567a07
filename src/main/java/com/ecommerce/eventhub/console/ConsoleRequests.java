package com.ecommerce.eventhub.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.servlet.http.HttpServletRequest;

/** What the console's filters left in a request, and small formatting shared by pages. */
final class ConsoleRequests {

	private ConsoleRequests() {
	}

	/**
	 * @param request a console request past {@link ConsoleSessionFilter}
	 * @return its session
	 */
	static ConsoleSession session(HttpServletRequest request) {
		Object session = request.getAttribute(ConsoleSession.ATTRIBUTE);
		if (!(session instanceof ConsoleSession current)) {
			throw new IllegalStateException("a console page was reached without a session");
		}
		return current;
	}

	/**
	 * @param request a console POST past {@link ConsoleCsrfFilter}
	 * @return its form
	 */
	static FormBody form(HttpServletRequest request) {
		Object form = request.getAttribute(ConsoleCsrfFilter.FORM);
		if (!(form instanceof FormBody body)) {
			throw new IllegalStateException("a console form was reached without its CSRF check");
		}
		return body;
	}

	/**
	 * @param instant an instant, or null
	 * @return it in ISO-8601 UTC to the second, or empty
	 */
	static String time(Instant instant) {
		return (instant != null) ? instant.truncatedTo(ChronoUnit.SECONDS).toString() : "";
	}

	/**
	 * @param text anything shown in a table cell
	 * @param max the most characters shown
	 * @return the text cut to {@code max} characters with an ellipsis, control characters
	 * made visible; empty for null
	 */
	static String cut(String text, int max) {
		if (text == null) {
			return "";
		}
		String visible = visible(text);
		return (visible.length() <= max) ? visible : visible.substring(0, max) + "…";
	}

	/**
	 * @param text text from outside
	 * @return the text with control characters (but line breaks and tabs) shown as
	 * U+FFFD, so nothing invisible hides in what an operator reads
	 */
	static String visible(String text) {
		StringBuilder visible = new StringBuilder(text.length());
		text.codePoints().forEach(c -> {
			boolean control = Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t' && c != '\r';
			boolean hidden = Character.getType(c) == Character.FORMAT; // bidi overrides
			visible.appendCodePoint((control || hidden) ? 0xFFFD : c);
		});
		return visible.toString();
	}

}
