package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's test scripts under {@code src/test/cluster/} and returns what they
 * print.
 */
final class Scripts {

	private Scripts() {
	}

	/**
	 * @param script the script's file name, e.g. {@code rabbitmq-cluster.sh}
	 * @param arguments its arguments
	 * @return its standard output, trimmed
	 * @throws IllegalStateException when it fails or takes over three minutes
	 */
	static String run(String script, String... arguments) {
		List<String> command = new ArrayList<>(List.of("bash", Path.of("src/test/cluster", script).toString()));
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			if (!process.waitFor(3, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " took over three minutes");
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
	}

}
