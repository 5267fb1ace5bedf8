#!/bin/sh
# Test equipment for the two-host data-parallel test (tests/test_data_parallel.cpp):
# mpirun's remote-shell agent (--mca plm_rsh_agent) for "hosts" that are network
# namespaces of this machine. GS_NETNS_HOSTS maps each host address to its
# namespace ("10.77.0.1=gs_a 10.77.0.2=gs_b"); the command runs in that namespace.
host="$1"
shift
for pair in $GS_NETNS_HOSTS; do
  if [ "${pair%%=*}" = "$host" ]; then exec ip netns exec "${pair#*=}" sh -c "$*"; fi
done
echo "netns_agent.sh: no namespace for host $host in GS_NETNS_HOSTS" >&2
exit 1
