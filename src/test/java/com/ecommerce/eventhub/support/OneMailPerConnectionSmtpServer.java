package com.ecommerce.eventhub.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP server that takes one mail per connection and answers the next MAIL FROM on it
 * with 421, as a server that caps the mails per connection does.
 */
public final class OneMailPerConnectionSmtpServer implements AutoCloseable {

	private final ServerSocket server;

	private final AtomicInteger delivered = new AtomicInteger();

	private final AtomicInteger refused = new AtomicInteger();

	private OneMailPerConnectionSmtpServer(int port) throws IOException {
		this.server = new ServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress("127.0.0.1", port));
		Thread thread = new Thread(this::serve, "one-mail-smtp");
		thread.setDaemon(true);
		thread.start();
	}

	public static OneMailPerConnectionSmtpServer start(int port) throws IOException {
		return new OneMailPerConnectionSmtpServer(port);
	}

	public int delivered() {
		return this.delivered.get();
	}

	public int refused() {
		return this.refused.get();
	}

	private void serve() {
		while (!this.server.isClosed()) {
			try (Socket client = this.server.accept();
					BufferedReader in = new BufferedReader(
							new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
					PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII)) {
				reply(out, "220 one-mail.test ESMTP");
				boolean used = false;
				String line;
				while ((line = in.readLine()) != null) {
					String command = line.toUpperCase(Locale.ROOT);
					if (command.startsWith("MAIL FROM") && used) {
						this.refused.incrementAndGet();
						reply(out, "421 4.7.0 one mail per connection");
						break;
					}
					if (command.equals("DATA")) {
						reply(out, "354 go ahead");
						while ((line = in.readLine()) != null && !line.equals(".")) {
							// the message
						}
						this.delivered.incrementAndGet();
						used = true;
						reply(out, "250 2.0.0 queued");
					}
					else if (command.startsWith("QUIT")) {
						reply(out, "221 2.0.0 bye");
						break;
					}
					else {
						reply(out, "250 ok");
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
