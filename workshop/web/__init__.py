"""The thin web layer: blueprints, Socket.IO namespaces, authentication; translates between the network and the service."""
