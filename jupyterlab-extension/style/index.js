import './base.css';
import './models.css';
import './compare.css';
import './ssh.css';
import './deployments.css';
