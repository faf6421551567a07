package com.ecommerce.eventhub.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client on one keep-alive socket, so that the load generator takes as
 * little of the machine's CPU from the hub as possible: the request is encoded once and
 * only the status, the headers that frame the body, and the body's length are read.
 */
final class KeepAliveClient implements AutoCloseable {

	private final String host;

	private final int port;

	private final byte[] request;

	private Socket socket;

	private InputStream in;

	private OutputStream out;

	/**
	 * @param host the server
	 * @param port its port
	 * @param path the request path
	 * @param headers further header lines, each ending in CRLF
	 * @param body the JSON body
	 */
	KeepAliveClient(String host, int port, String path, String headers, String body) {
		this.host = host;
		this.port = port;
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n" + headers
				+ "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
		byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
		this.request = new byte[headBytes.length + bytes.length];
		System.arraycopy(headBytes, 0, this.request, 0, headBytes.length);
		System.arraycopy(bytes, 0, this.request, headBytes.length, bytes.length);
	}

	/**
	 * Sends the request and reads the whole answer.
	 * @return the status code
	 * @throws IOException on connection errors
	 */
	int post() throws IOException {
		if (this.socket == null) {
			this.socket = new Socket(this.host, this.port);
			this.socket.setTcpNoDelay(true);
			this.socket.setSoTimeout(30_000);
			this.in = new BufferedInputStream(this.socket.getInputStream(), 16 * 1024);
			this.out = new BufferedOutputStream(this.socket.getOutputStream(), 16 * 1024);
		}
		this.out.write(this.request);
		this.out.flush();
		Response response = readResponse(this.in);
		if (response.close()) {
			close();
		}
		return response.status();
	}

	/**
	 * @param status the status code
	 * @param bodyBytes the body's length
	 * @param close whether the server closes the connection after it
	 */
	record Response(int status, long bodyBytes, boolean close) {
	}

	/**
	 * Reads one HTTP/1.1 response: status line, headers, and a body framed by
	 * Content-Length or chunked transfer coding (or, with neither, none).
	 * @param in the connection's input
	 * @return the response
	 * @throws IOException on a malformed or cut answer
	 */
	static Response readResponse(InputStream in) throws IOException {
		String statusLine = line(in);
		if (!statusLine.startsWith("HTTP/1.")) {
			throw new IOException("not an HTTP answer: " + statusLine);
		}
		int status = Integer.parseInt(statusLine.substring(9, 12));
		long length = -1;
		boolean chunked = false;
		boolean close = false;
		for (String header = line(in); !header.isEmpty(); header = line(in)) {
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Long.parseLong(lower.substring(15).trim());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
			else if (lower.startsWith("connection:") && lower.contains("close")) {
				close = true;
			}
		}
		long body = 0;
		if (chunked) {
			for (long size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
				skip(in, size);
				line(in);
				body += size;
			}
			for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
				// Trailers: none expected, skipped.
			}
		}
		else if (length > 0) {
			skip(in, length);
			body = length;
		}
		return new Response(status, body, close);
	}

	private static long chunkSize(String line) {
		int extension = line.indexOf(';');
		return Long.parseLong(((extension >= 0) ? line.substring(0, extension) : line).trim(), 16);
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(64);
		int c;
		while ((c = in.read()) != '\n') {
			if (c < 0) {
				throw new EOFException("connection closed in the middle of an answer");
			}
			if (c != '\r') {
				line.write(c);
			}
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

	private static void skip(InputStream in, long bytes) throws IOException {
		long left = bytes;
		while (left > 0) {
			long skipped = in.skip(left);
			if (skipped <= 0) {
				if (in.read() < 0) {
					throw new EOFException("connection closed in the middle of a body");
				}
				skipped = 1;
			}
			left -= skipped;
		}
	}

	@Override
	public void close() {
		if (this.socket != null) {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// Closing is all that is left to do.
			}
			this.socket = null;
		}
	}

}
