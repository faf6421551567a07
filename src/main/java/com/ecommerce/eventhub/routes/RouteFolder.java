package com.ecommerce.eventhub.routes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the route folder the way operators deploy it. Every {@code *.yaml} entry directly
 * in the folder is a route file: a regular file, or a symbolic link whose target resolves
 * inside the folder (every file of a Kubernetes ConfigMap volume is a link into its
 * {@code ..data/} directory). Anything else named {@code *.yaml}, a link that leads out
 * of the folder, a file over the size limit or not UTF-8 is refused with the reason,
 * never skipped silently.
 */
final class RouteFolder {

	private final Path directory;

	private final long maxFileSize;

	RouteFolder(Path directory, long maxFileSize) {
		this.directory = directory;
		this.maxFileSize = maxFileSize;
	}

	Path directory() {
		return this.directory;
	}

	/**
	 * @return the route files by name, each readable content or a refusal; empty when the
	 * folder is missing
	 * @throws IOException when the folder exists but cannot be listed
	 */
	Map<String, Entry> list() throws IOException {
		Map<String, Entry> entries = new TreeMap<>();
		if (!Files.isDirectory(this.directory)) {
			return entries;
		}
		Path realDirectory = this.directory.toRealPath();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory, "*.yaml")) {
			for (Path file : files) {
				entries.put(file.getFileName().toString(), read(file, realDirectory));
			}
		}
		return entries;
	}

	/**
	 * @return whether the folder exists and is a directory
	 */
	boolean exists() {
		return Files.isDirectory(this.directory);
	}

	private Entry read(Path file, Path realDirectory) {
		Path target = file;
		if (Files.isSymbolicLink(file)) {
			try {
				target = file.toRealPath();
			}
			catch (NoSuchFileException ex) {
				return Entry.refused("a symbolic link whose target does not exist");
			}
			catch (IOException ex) {
				return Entry.refused("a symbolic link that cannot be resolved: " + ex.getMessage());
			}
			if (!target.startsWith(realDirectory)) {
				return Entry.refused("a symbolic link to " + target + ", outside the routes folder " + realDirectory);
			}
		}
		if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
			return Entry.refused("not a regular file");
		}
		try {
			long size = Files.size(target);
			if (size > this.maxFileSize) {
				return Entry.refused("the file is " + size + " bytes; at most " + this.maxFileSize
						+ " are read (hub.routes.max-file-size)");
			}
			byte[] bytes = Files.readAllBytes(target);
			if (bytes.length > this.maxFileSize) {
				return Entry.refused("the file grew past " + this.maxFileSize + " bytes while it was read");
			}
			return Entry.content(StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString());
		}
		catch (CharacterCodingException ex) {
			return Entry.refused("not UTF-8 text");
		}
		catch (IOException ex) {
			return Entry.refused("cannot be read: " + ex.getMessage());
		}
	}

	/**
	 * One route file: its content, or why it is refused.
	 *
	 * @param content the file's text, null when refused
	 * @param refusal why the hub does not read it, null when readable
	 */
	record Entry(String content, String refusal) {

		static Entry content(String content) {
			return new Entry(content, null);
		}

		static Entry refused(String reason) {
			return new Entry(null, reason);
		}

	}

}
