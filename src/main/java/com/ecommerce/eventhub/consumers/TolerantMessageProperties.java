package com.ecommerce.eventhub.consumers;

import java.util.HashMap;
import java.util.Map;

import com.rabbitmq.client.AMQP.BasicProperties;
import com.rabbitmq.client.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;

/**
 * The consumers' listener containers read a delivery's properties with this converter.
 * Spring AMQP's reads the first element of an {@code x-death} header as a table; a
 * publisher can send any list there, and the {@code ClassCastException} was thrown in the
 * container, before the route: the channel closed, every prefetched message came back,
 * the consumers restarted every 5 s, and the message went round until the broker's
 * delivery limit dead-lettered it without a reason (RabbitMQ 3.10 crashed doing so). A
 * delivery whose properties Spring cannot read is read again without {@code x-death} (the
 * broker's own dead-lettering history, which the hub does not use); its body then reaches
 * the route, which handles or dead-letters it like any other.
 */
class TolerantMessageProperties extends DefaultMessagePropertiesConverter {

	private static final Logger log = LoggerFactory.getLogger(TolerantMessageProperties.class);

	private static final String X_DEATH = "x-death";

	@Override
	public MessageProperties toMessageProperties(BasicProperties source, Envelope envelope, String charset) {
		try {
			return super.toMessageProperties(source, envelope, charset);
		}
		catch (RuntimeException ex) {
			Map<String, Object> headers = source.getHeaders();
			if (headers == null || !headers.containsKey(X_DEATH)) {
				throw ex;
			}
			log.warn("Message {} from {} has an x-death header Spring AMQP cannot read ({}); it is read without it",
					EventLogContext.loggable(String.valueOf(source.getMessageId())),
					EventLogContext.loggable(String.valueOf(envelope.getRoutingKey())), ex.toString());
			Map<String, Object> rest = new HashMap<>(headers);
			rest.remove(X_DEATH);
			return super.toMessageProperties(source.builder().headers(rest).build(), envelope, charset);
		}
	}

}
