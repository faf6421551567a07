package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP peer that answers {@code 550 5.1.1} to every recipient, as a server does for an
 * unknown user: the one answer GreenMail cannot give.
 */
public final class RejectingSmtpServer implements AutoCloseable {

	private final ServerSocket server;

	private final Thread thread;

	private final AtomicInteger rejected = new AtomicInteger();

	private RejectingSmtpServer(int port) throws IOException {
		this.server = new ServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress("127.0.0.1", port));
		this.thread = new Thread(this::serve, "rejecting-smtp");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * @param port the port to listen on
	 * @return the running server
	 * @throws IOException when the port is taken
	 */
	public static RejectingSmtpServer start(int port) throws IOException {
		return new RejectingSmtpServer(port);
	}

	/** How many recipients were refused. */
	public int rejected() {
		return this.rejected.get();
	}

	private void serve() {
		while (!this.server.isClosed()) {
			try (Socket client = this.server.accept();
					BufferedReader in = new BufferedReader(
							new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
					PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII)) {
				reply(out, "220 rejecting.test ESMTP");
				String line;
				while ((line = in.readLine()) != null) {
					String command = line.toUpperCase(java.util.Locale.ROOT);
					if (command.startsWith("EHLO") || command.startsWith("HELO")) {
						reply(out, "250 rejecting.test");
					}
					else if (command.startsWith("MAIL FROM")) {
						reply(out, "250 2.1.0 Ok");
					}
					else if (command.startsWith("RCPT TO")) {
						this.rejected.incrementAndGet();
						reply(out, "550 5.1.1 <recipient>: Recipient address rejected: User unknown");
					}
					else if (command.startsWith("QUIT")) {
						reply(out, "221 2.0.0 Bye");
						break;
					}
					else if (command.startsWith("RSET") || command.startsWith("NOOP")) {
						reply(out, "250 2.0.0 Ok");
					}
					else {
						reply(out, "503 5.5.1 Bad sequence of commands");
					}
				}
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private static void reply(PrintWriter out, String line) {
		out.print(line + "\r\n");
		out.flush();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
	}

}
