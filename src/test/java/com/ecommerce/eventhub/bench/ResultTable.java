package com.ecommerce.eventhub.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The benchmark's one table, in Markdown so it can go into the README as it is. */
final class ResultTable {

	static final List<String> HEADER = List.of("mode", "count", "rate /s", "p50 / p95 / p99 ms", "CPU ms / 1,000",
			"RSS MB", "CPU and RSS of", "notes");

	private ResultTable() {
	}

	/**
	 * @param results the rows, in run order
	 * @return the table, one line per row after the header and its rule
	 */
	static String format(List<BenchResult> results) {
		List<List<String>> rows = new ArrayList<>();
		rows.add(HEADER);
		for (BenchResult result : results) {
			rows.add(List.of(result.mode(), count(result), number(result.ratePerSecond(), "%,.0f"), latencies(result),
					number(result.cpuMsPer1000(), "%,.0f"), number(result.rssMb(), "%,.0f"), text(result.measured()),
					text(result.note())));
		}
		int[] widths = new int[HEADER.size()];
		for (List<String> row : rows) {
			for (int column = 0; column < widths.length; column++) {
				widths[column] = Math.max(widths[column], row.get(column).length());
			}
		}
		StringBuilder table = new StringBuilder();
		for (int index = 0; index < rows.size(); index++) {
			line(table, rows.get(index), widths);
			if (index == 0) {
				List<String> rule = new ArrayList<>();
				for (int width : widths) {
					rule.add("-".repeat(width));
				}
				line(table, rule, widths);
			}
		}
		return table.toString();
	}

	private static void line(StringBuilder table, List<String> cells, int[] widths) {
		table.append('|');
		for (int column = 0; column < widths.length; column++) {
			String cell = cells.get(column);
			boolean numeric = column >= 1 && column <= 5;
			String padding = " ".repeat(widths[column] - cell.length());
			table.append(' ').append(numeric ? padding + cell : cell + padding).append(" |");
		}
		table.append('\n');
	}

	private static String count(BenchResult result) {
		return (result.count() == 0 && "-".equals(result.unit())) ? "-"
				: String.format(Locale.ROOT, "%,d %s", result.count(), result.unit());
	}

	private static String latencies(BenchResult result) {
		if (Double.isNaN(result.p50()) && Double.isNaN(result.p95()) && Double.isNaN(result.p99())) {
			return "-";
		}
		return number(result.p50(), "%.1f") + " / " + number(result.p95(), "%.1f") + " / "
				+ number(result.p99(), "%.1f");
	}

	private static String number(double value, String format) {
		return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
	}

	private static String text(String value) {
		return (value == null || value.isEmpty()) ? "-" : value.replace('|', '/').replace('\n', ' ');
	}

}
