package com.ecommerce.eventhub.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: a method of
 * any name, a Content-Length whose body never comes, a body sent slowly. Reads just the
 * status line.
 */
public final class RawHttp {

	private RawHttp() {
	}

	/**
	 * Sends a request head (and optionally part of a body) and reads the answer's status.
	 * @param port the hub's port
	 * @param head the request line and headers, without the blank line that ends them
	 * @param body bytes sent after the head (may be shorter than the declared length)
	 * @param timeoutMillis how long to wait for the answer
	 * @return the status code, or -1 when no answer came in time
	 * @throws IOException on connection errors
	 */
	public static int status(int port, String head, byte[] body, int timeoutMillis) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(timeoutMillis);
			OutputStream out = socket.getOutputStream();
			out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			out.write(body);
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int c;
			while ((c = in.read()) >= 0 && c != '\n') {
				line.write(c);
			}
			String status = line.toString(StandardCharsets.ISO_8859_1);
			return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : -1;
		}
		catch (SocketTimeoutException ex) {
			return -1;
		}
	}

	/**
	 * Sends a request head whose body never comes, as a keep-alive client would, and
	 * reads the whole answer.
	 * @param port the hub's port
	 * @param head the request line and headers, without the blank line that ends them
	 * @param timeoutMillis how long to wait for the answer and then for the server to
	 * close the connection
	 * @return the status code (-1 when no answer came in time) and whether the server
	 * closed the connection within the timeout
	 * @throws IOException on connection errors
	 */
	public static Answer answerWithoutBody(int port, String head, int timeoutMillis) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(timeoutMillis);
			OutputStream out = socket.getOutputStream();
			out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			try {
				int c;
				while ((c = in.read()) >= 0) {
					answer.write(c);
				}
			}
			catch (SocketTimeoutException ex) {
				return new Answer(statusOf(answer), answer.toString(StandardCharsets.ISO_8859_1), false);
			}
			return new Answer(statusOf(answer), answer.toString(StandardCharsets.ISO_8859_1), true);
		}
	}

	private static int statusOf(ByteArrayOutputStream answer) {
		String text = answer.toString(StandardCharsets.ISO_8859_1);
		return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
	}

	/**
	 * @param status the answer's status code, -1 when none came
	 * @param text the whole answer, head and body
	 * @param closed whether the server closed the connection afterwards
	 */
	public record Answer(int status, String text, boolean closed) {

	}

}
