package com.ecommerce.eventhub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One owner per table (STYLE.md "One owner per resource"): only the owning package's
 * sources name a table. Everyone else calls the owner with records.
 */
class TableOwnershipTest {

	private static final Path SOURCES = Path.of("src/main/java/com/ecommerce/eventhub");

	private static final Map<String, String> OWNERS = Map.of("outbox_event", "outbox", "processed_event", "consumers",
			"side_effect", "consumers", "parked_aggregate", "consumers", "dead_letter_archive", "ops",
			"operator_action", "audit", "console_session", "console");

	@Test
	void onlyTheOwningPackageNamesATable() throws IOException {
		List<String> trespassers = new ArrayList<>();
		try (Stream<Path> files = Files.walk(SOURCES)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
				String text = Files.readString(file);
				String packageName = SOURCES.relativize(file).getName(0).toString();
				OWNERS.forEach((table, owner) -> {
					if (!packageName.equals(owner) && text.contains(table)) {
						trespassers.add(file + " names " + table + " (owned by " + owner + ")");
					}
				});
			}
		}
		assertThat(trespassers).isEmpty();
	}

}
