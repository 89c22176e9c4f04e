"""The NApp's test harness: a real Kytos-ng controller (kytosd), an emulated OpenFlow network,
the kafka-events service and a Kafka broker, each in its module, and `full_stack.full_stack`, the
whole of them as the family tests and the storm bench run them. Nothing is imported here: the
emulated network needs pyof, which not every test has."""
