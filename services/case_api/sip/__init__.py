"""SIP, samordnad individuell plan: who initiated it, with whom, on which samtycke, its follow-up."""
