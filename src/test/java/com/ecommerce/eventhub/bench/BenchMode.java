package com.ecommerce.eventhub.bench;

import java.util.List;

/**
 * One benchmark mode: sets up its own schema and queues, measures, removes them again.
 */
@FunctionalInterface
interface BenchMode {

	/**
	 * @param settings the options
	 * @return its rows of the table
	 * @throws Exception when it cannot run
	 */
	List<BenchResult> run(BenchSettings settings) throws Exception;

}
