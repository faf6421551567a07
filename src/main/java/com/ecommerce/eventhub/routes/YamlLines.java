package com.ecommerce.eventhub.routes;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/** Finds the line of a YAML problem in a parse failure. */
final class YamlLines {

	private static final Pattern LINE = Pattern.compile("line (\\d+)");

	private YamlLines() {
	}

	static Integer lineOf(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof MarkedYamlEngineException marked && marked.getProblemMark().isPresent()) {
				return marked.getProblemMark().get().getLine() + 1;
			}
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			Matcher matcher = (cause.getMessage() != null) ? LINE.matcher(cause.getMessage()) : null;
			if (matcher != null && matcher.find()) {
				return Integer.valueOf(matcher.group(1));
			}
		}
		return null;
	}

}
