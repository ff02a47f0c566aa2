"""The Prefect events of the contract (section 7) and the sender that posts them."""
