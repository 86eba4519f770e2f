"""Braiins OS+ (BOSer): cgminer JSON naming BOSminer on 4028, gRPC (HTTP/2 cleartext) on 50051."""
